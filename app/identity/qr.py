"""QR code images (PNG and SVG) for TOTP enrolment and QR login."""
import base64
import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _code(content: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(content)
    code.make(fit=True)
    return code


def png_data_uri(content: str) -> str:
    """A `data:image/png;base64,...` URI, ready for an <img src>."""
    buffer = io.BytesIO()
    _code(content).make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def svg(content: str) -> str:
    """The QR code as one SVG path (scalable, a few kilobytes)."""
    buffer = io.BytesIO()
    _code(content).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue().decode()
