"""Uploading an exported folder to a dataset hub with ``huggingface_hub`` (an optional extra)."""

import os
from pathlib import Path

from gensample.errors import BadInputError, RunError, one_line


def push_token(repo: str, token: str | None = None) -> str:
    """The token to push to the dataset repository ``repo`` with, once the package, the form of
    ``repo`` and the token are checked (:class:`BadInputError` otherwise): before exporting.

    The token comes from ``token``, ``HF_TOKEN`` or huggingface_hub's stored login.
    """
    huggingface_hub = _hub()
    from huggingface_hub.utils import validate_repo_id  # a submodule, loaded when asked for

    try:
        validate_repo_id(repo)
    except ValueError as error:
        raise BadInputError(
            f"--push {repo!r} is not a repository id, expected NAME or OWNER/NAME: "
            + one_line(error)
        ) from None
    token = token or os.environ.get("HF_TOKEN") or huggingface_hub.get_token()
    if not token:
        raise BadInputError(f"--push {repo}: no token; set HF_TOKEN or log in with `hf auth login`")
    return token


def push_folder(folder: Path, repo: str, token: str | None = None) -> str:
    """Upload ``folder`` to the dataset repository ``repo`` (created if missing); return its URL.

    ``repo`` and the token are checked as :func:`push_token` does.
    """
    api = _hub().HfApi(token=push_token(repo, token))
    try:
        api.create_repo(repo, repo_type="dataset", exist_ok=True)
        commit = api.upload_folder(folder_path=str(folder), repo_id=repo, repo_type="dataset")
    except Exception as error:  # the hub client raises many kinds: name the repository
        raise RunError(f"--push {repo}: the upload failed: {one_line(error)}") from error
    return str(commit.commit_url)


def _hub():
    """The ``huggingface_hub`` module, or a :class:`BadInputError` saying how to install it."""
    try:
        import huggingface_hub
    except ImportError:
        raise BadInputError("--push needs huggingface_hub: pip install 'gensample[hub]'") from None
    return huggingface_hub
