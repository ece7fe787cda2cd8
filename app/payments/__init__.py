"""Cashless fees: payments through gateway adapters, IPN, receipts, refunds, reconciliation."""
