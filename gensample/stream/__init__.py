"""Streaming: the batch generation run continuously on a few people at a time, sent in real time.

``engine`` runs the loop; ``microbatch`` generates (with ``generate.pipeline``) and stamps rows,
``outbox`` queues them parents first, ``pacer`` holds the rate, ``control`` and ``metrics``
answer over HTTP, ``files``, ``sinks`` and ``encoding`` write them out, ``uploads`` sends closed
files to S3, ``progress`` keeps where ids continue from. See docs/streaming.md.
"""
