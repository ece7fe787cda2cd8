"""Gateway adapters (`base.py` the contract; one module per provider).

Which are enabled, and built from the configuration, is `configured.py`.
"""
GATEWAY_NAMES = ("vnpay", "momo", "paygov")
