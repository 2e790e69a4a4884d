"""Telegram connector (python-telegram-bot 22, async): citizens use the assistant from Telegram.

Flow (see `flow.mmd`): update → `gateway.TelegramGateway` (rate limit, commands, locations,
buttons) → `connectors.router.ConversationRouter` (channel "tg", sender = chat id) → replies
rendered by `replies.ReplyWriter` (HTML, split at 4096, inline keyboards) and sent by
`sending.TelegramSender` (retries; failures kept in `telegram_failed_sends`). Desk messages of
a handover reach the chat through `relay.HandoffRelay`.

Processes: polling worker `python -m connectors.telegram`, or webhook route `webhook.router`
in the web app (TELEGRAM_MODE=webhook).
"""
