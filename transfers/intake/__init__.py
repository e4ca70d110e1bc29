"""Article intake: from a source's stored text to proposed claims an analyst edits and loads.

The pieces, each in its own module:

- ``sentences``: the text cut into paragraphs and sentences, by character offsets into the stored
  text, so that every proposed quote is a slice of it (verbatim by construction).
- ``gazetteer``: every name the database knows -- States with their aliases, Actors, Places,
  Materiel with their aliases and designations -- plus the demonyms of ``demonyms``, matched in one
  pass per sentence.
- ``cues``: the words that decide a sentence's stance, claimant, status, route and the parties'
  roles. Rules only: deterministic, offline, no model.
- ``proposals``: sentences that report a transfer, turned into proposed claims, matched to existing
  transfers or new ones, and written out as a draft fixture.

Nothing here writes to the database: accepting a proposal goes through ``transfers.services``.
"""
