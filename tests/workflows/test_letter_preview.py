"""The letter shown to its reviewer and signer is the letter that will be sent."""
from __future__ import annotations

import pytest

from workflows.letter import letter_blocks

from .test_letter import _data, _texts


@pytest.mark.parametrize("overrides", [{}, {"publish": False, "copy_to": []},
                                       {"co_signers": [], "answer_class": "c"}])
def test_the_preview_has_the_paragraphs_of_the_docx_in_order(overrides):
    data = _data(**overrides)
    assert [text for _kind, text in letter_blocks(data)] == _texts(data)
