"""Label sets of the trained heads and how they map onto the contract's labels (schemas.py)."""

from __future__ import annotations

GOEMOTIONS: tuple[str, ...] = (
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity",
    "desire", "disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear",
    "gratitude", "grief", "joy", "love", "nervousness", "optimism", "pride", "realization", "relief",
    "remorse", "sadness", "surprise", "neutral",
)  # fmt: skip
TWEET_EMOTIONS: tuple[str, ...] = ("anger", "joy", "optimism", "sadness")

# GoEmotions label -> our emotion (schemas.EMOTIONS); customer-care reading: annoyance and
# disapproval are frustration, admiration/approval are gratitude-ish praise but kept as joy
GO_TO_EMOTION: dict[str, str] = {
    "anger": "anger",
    "disgust": "anger",
    "annoyance": "frustration",
    "disapproval": "frustration",
    "disappointment": "disappointment",
    "sadness": "sadness",
    "grief": "sadness",
    "remorse": "sadness",
    "embarrassment": "sadness",
    "fear": "worry",
    "nervousness": "worry",
    "confusion": "confusion",
    "gratitude": "gratitude",
    "joy": "joy",
    "amusement": "joy",
    "excitement": "joy",
    "love": "joy",
    "optimism": "joy",
    "admiration": "joy",
    "approval": "joy",
    "pride": "joy",
    "relief": "joy",
    "caring": "neutral",
    "desire": "neutral",
    "curiosity": "neutral",
    "realization": "neutral",
    "surprise": "neutral",
    "neutral": "neutral",
}

# Bitext customer-support intents -> our intents (schemas.INTENTS)
BITEXT_TO_INTENT: dict[str, str] = {
    "complaint": "complaint",
    "review": "other",
    "check_invoice": "billing_refund",
    "get_invoice": "billing_refund",
    "check_payment_methods": "billing_refund",
    "payment_issue": "billing_refund",
    "check_refund_policy": "billing_refund",
    "get_refund": "billing_refund",
    "track_refund": "billing_refund",
    "check_cancellation_fee": "billing_refund",
    "delivery_options": "delivery",
    "delivery_period": "delivery",
    "track_order": "delivery",
    "change_shipping_address": "delivery",
    "set_up_shipping_address": "delivery",
    "create_account": "account_access",
    "delete_account": "account_access",
    "edit_account": "account_access",
    "recover_password": "account_access",
    "registration_problems": "account_access",
    "switch_account": "account_access",
    "contact_customer_service": "question",
    "contact_human_agent": "question",
    "newsletter_subscription": "question",
    "place_order": "question",
    "cancel_order": "question",
    "change_order": "question",
}
