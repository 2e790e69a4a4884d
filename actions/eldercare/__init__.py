"""找养老: find eldercare by place, need and budget, nearest first, and book a visit.

Conversation (bot/domain/eldercare.yml, flow in ``flow.mmd``):

1. ``eldercare_search_form`` asks only what is missing: where (district, street, landmark or a
   shared location), what care the older person needs, and the monthly budget (not asked for
   助餐). One free-text message may answer all three ("我妈八十多了，有点糊涂，想找西湖区的，
   每月五千以内"). A kind of place named ("养老院", "白天照顾的地方", "老年食堂") limits the
   search to that kind, next to the need.
2. ``action_search_facilities`` shows three cards at a time ("换一批" for more); when nothing
   matches it says which condition excluded everything and offers to relax it (a condition
   not recognised in words is asked with buttons, never guessed).
3. "预约参观" on a card starts ``eldercare_visit_form`` (date, half-day, name, phone), then a
   confirmation and ``action_book_facility_visit`` (reference YL-YYYYMMDD-NNNN).
4. "取消参观预约" runs ``eldercare_cancel_form``, then ``action_confirm_visit_cancellation``
   asks "确定要取消……吗？"; 确定取消 runs ``action_cancel_facility_visit``, 不取消
   ``action_keep_facility_visit``.

Shared location (Telegram and any channel that can send one), two equivalent forms:

- the message text ``/share_location{"lat": 30.2741, "lon": 120.1551}`` (intent
  ``share_location``, WGS-84 decimal degrees, entities ``lat`` and ``lon``), or
- message metadata ``{"location": {"lat": 30.2741, "lon": 120.1551}}`` on any message.

Either one sets the search area to "near you" (5 km, nearest first); outside a search it starts
one.
"""
