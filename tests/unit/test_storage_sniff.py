"""File types are told by their bytes, not their names."""
import pytest

from app.storage import sniff_content_type
from tests.storage_samples import JPEG_BYTES, PDF_BYTES, PNG_BYTES


@pytest.mark.parametrize("data, expected", [
    (PDF_BYTES, "application/pdf"),
    (JPEG_BYTES, "image/jpeg"),
    (PNG_BYTES, "image/png"),
])
def test_the_three_accepted_types_are_recognised(data, expected):
    assert sniff_content_type(data) == expected


@pytest.mark.parametrize("data", [
    b"MZ\x90\x00\x03" + b"\x00" * 100,                  # a Windows executable
    b"<html><script>alert(1)</script></html>",          # HTML
    b"%PDF-1.7\n" + b"x" * 2000,                        # a PDF header with no end
    b"\xff\xd8\xff\xe0" + b"\x00" * 50,                  # a JPEG that never ends
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 8,                  # a PNG signature without IHDR
    b"GIF89a" + b"\x00" * 20,                           # an image type we do not take
    b"",
])
def test_anything_else_is_refused(data):
    assert sniff_content_type(data) is None


def test_the_pdf_end_marker_must_be_near_the_end():
    assert sniff_content_type(b"%PDF-1.4\n%%EOF\n" + b"x" * 4096) is None
