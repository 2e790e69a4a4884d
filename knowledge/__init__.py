"""Knowledge base: editor-owned answers (``articles/``), their loader, checks and search.

The action server and the back office import each name from the module that defines it::

    from knowledge.store import get_store

    result = get_store().search("离婚冷静期多少天")   # knowledge.search_results.SearchResult
    if result.decision == "answer":
        article = result.answer.article           # answer, source, effective_from …
    elif result.decision == "suggest":
        titles = [(m.article_id, m.title) for m in result.suggestions]

Importing this package does no work: the folder is read on the first search.
"""
