"""PayGov-style gateway (the national public-service payment platform pattern).

It reuses the redirect + signed-notification protocol of VNPay 2.1.0 (signed
payment URL, signed IPN answered with RspCode, signed querydr/refund), with
its own merchant code, secret and URLs, so it is the VNPay adapter under
another name and configuration.
"""
from app.payments.gateways.vnpay import VNPay


class PayGov(VNPay):
    name = "paygov"
