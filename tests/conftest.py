from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "vault" / "corpus"
SEED = Path(__file__).parent.parent / "seeds" / "000_92e8f43f664c5b24.txt"


@pytest.fixture
def corpus(tmp_path):
    """A scratch copy of the test vault, safe to change."""
    import shutil

    target = tmp_path / "vault"
    shutil.copytree(CORPUS, target)
    return target
