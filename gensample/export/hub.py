"""Uploading an exported folder to a dataset hub with ``huggingface_hub`` (an optional extra)."""

import os
from pathlib import Path

from gensample.errors import BadInputError, RunError


def push_folder(folder: Path, repo: str, token: str | None = None) -> str:
    """Upload ``folder`` to the dataset repository ``repo`` (created if missing); return its URL.

    The token comes from ``token``, ``HF_TOKEN`` or huggingface_hub's stored login.
    """
    try:
        import huggingface_hub
    except ImportError:
        raise BadInputError("--push needs huggingface_hub: pip install 'gensample[hub]'") from None
    token = token or os.environ.get("HF_TOKEN") or huggingface_hub.get_token()
    if not token:
        raise BadInputError(f"--push {repo}: no token; set HF_TOKEN or log in with `hf auth login`")
    api = huggingface_hub.HfApi(token=token)
    try:
        api.create_repo(repo, repo_type="dataset", exist_ok=True)
        commit = api.upload_folder(folder_path=str(folder), repo_id=repo, repo_type="dataset")
    except Exception as error:  # the hub client raises many kinds: name the repository
        raise RunError(f"--push {repo}: the upload failed: {error}") from error
    return str(commit.commit_url)
