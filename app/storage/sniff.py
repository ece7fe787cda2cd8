"""What a file really is, from its first and last bytes (its name is not trusted).

Only the three types citizens and agencies exchange are accepted: PDF, JPEG and
PNG. The checks are the formats' own signatures, so no libmagic is needed:

- PDF (ISO 32000): starts with `%PDF-` and has an `%%EOF` marker in its last KiB;
- JPEG (ITU T.81): starts with the SOI marker FF D8 FF and contains an EOI (FF D9);
- PNG (ISO 15948): the 8-byte signature followed by an IHDR chunk.
"""
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
ACCEPTED_TYPES = (PDF, JPEG, PNG)
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sniff_content_type(data: bytes) -> str | None:
    """`application/pdf`, `image/jpeg` or `image/png`, or None for anything else."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
        return PDF
    if data.startswith(b"\xff\xd8\xff") and b"\xff\xd9" in data[3:]:
        return JPEG
    if data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR":
        return PNG
    return None
