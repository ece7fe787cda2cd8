from app.common.masking import mask_personal_id, mask_phone, mask_text


def test_personal_id_keeps_only_its_ends():
    assert mask_personal_id("id 079123456789 end") == "id 079******789 end"


def test_longer_digit_runs_are_not_taken_for_ids():
    assert mask_personal_id("1234567890123") == "1234567890123"


def test_phone_numbers_are_masked_in_both_forms():
    assert mask_phone("call 0912345678") == "call 091****678"
    assert mask_phone("+84912345678") == "+8491****678"


def test_mask_text_masks_both_in_one_line():
    masked = mask_text('{"personal_id": "001090000123", "phone": "0987654321"}')
    assert "001090000123" not in masked and "0987654321" not in masked
    assert "001******123" in masked and "098****321" in masked
