"""WeChat official account (微信公众号, 服务号 in developer mode): callback, replies, menu.

Entry points: `routes.router` and `routes.wechat_lifespan` (mounted by web/main.py when
WECHAT_TOKEN is set) and `python -m connectors.wechat.menu` (`make wechat-menu`).
"""
