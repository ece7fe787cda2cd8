"""Photos of a report: only real images, re-encoded so no metadata leaves the server.

The bytes are sniffed (never the file's name or declared type), then Pillow
decodes the picture, turns it upright by its EXIF orientation, shrinks it to
the configured size and writes a fresh JPEG (a PNG too) with no EXIF, XMP,
GPS, text chunk or comment: what the reporter's phone recorded about itself or the place stays
out of the stored file.
"""
import io
import uuid
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from app.reports.errors import NotAnImage, PhotoTooLarge, TooManyPhotos
from app.reports.models import ReportPhoto
from app.storage import StorageError, get_storage
from app.storage.sniff import JPEG, PNG, sniff_content_type

IMAGE_TYPES = (JPEG, PNG)
# A photo larger than this many pixels is refused before it is decoded
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    content_type: str
    width: int
    height: int


def clean(data: bytes, *, max_bytes: int, max_side: int) -> CleanPhoto:
    """The photo re-encoded without metadata, or the error saying why it is refused."""
    if len(data) > max_bytes:
        raise PhotoTooLarge(errors={"photos": [PhotoTooLarge.message]})
    content_type = sniff_content_type(data)
    if content_type not in IMAGE_TYPES:
        raise NotAnImage(errors={"photos": [NotAnImage.message]})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoTooLarge(errors={"photos": [PhotoTooLarge.message]})
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise NotAnImage(errors={"photos": [NotAnImage.message]}) from error
    image.thumbnail((max_side, max_side))
    if image.mode in ("RGBA", "LA", "P"):
        # transparency on white: every stored photo is a plain JPEG
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    return CleanPhoto(out.getvalue(), JPEG, image.width, image.height)


def clean_all(files: list[bytes], *, max_count: int, max_bytes: int, max_side: int) -> list[CleanPhoto]:
    if len(files) > max_count:
        raise TooManyPhotos(errors={"photos": [TooManyPhotos.message]}, limit=max_count)
    return [clean(data, max_bytes=max_bytes, max_side=max_side) for data in files]


def store(report_id: uuid.UUID, photo: CleanPhoto, *, kind: str, uploaded_by: uuid.UUID | None) -> ReportPhoto:
    """Writes the file and returns its (unsaved) row."""
    photo_id = uuid.uuid4()
    key = f"reports/{report_id}/{photo_id}"
    stored = get_storage().put(key, photo.data)
    return ReportPhoto(id=photo_id, report_id=report_id, kind=kind, content_type=photo.content_type,
                       size=stored.size, sha256=stored.sha256, storage_key=key, width=photo.width,
                       height=photo.height, uploaded_by=uploaded_by)


def discard(photos: list[ReportPhoto]) -> None:
    """Removes the files of photos whose rows were not committed."""
    storage = get_storage()
    for photo in photos:
        try:
            storage.delete(photo.storage_key)
        except StorageError:   # best effort: an orphan file is harmless
            pass


def read(photo: ReportPhoto) -> bytes:
    return get_storage().get(photo.storage_key, sha256=photo.sha256)
