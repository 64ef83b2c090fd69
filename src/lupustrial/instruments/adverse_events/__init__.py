"""Adverse-event (AE) records: CTCAE v5.0 term, SOC, grade 1–5, seriousness, relatedness, dates.

* :mod:`.terms` — the term table (term → SOC and the grades CTCAE defines for it). The shipped
  ``ae_terms_ctcae_v5.csv`` is a *subset* (~160 terms): the terms CAR-T / CAR-NK trials in SLE report
  (safety.md §1.6, §9), every term the simulator writes, and each SOC's "Other, specify" term; each row
  names its dictionary, source and what it was checked against. The full CTCAE v5.0 list (~840 terms,
  MedDRA-coded) loads with ``load_terms(path)`` from a CSV of the same columns.
* :mod:`.synonyms` — verbatim → term (``ae_term_synonyms.csv``: British spellings, abbreviations, clinical
  words for laboratory terms, events coded to "Other, specify"), each row with its reason and source.
* :mod:`.coding` — ``compute_ae_coding``: verbatim / reported term → coded term → SOC, or no SOC with a
  reason (option ``match``: ``normalised`` case/white-space-insensitive, default; or ``exact``).
* :mod:`.records` — ``validate_ae_records``: one typed, checked AE frame (every problem reported).
* :mod:`.summary` — counts of subjects and events per SOC/term and grade; maximum grade per subject.
* :mod:`.instrument` — the registered entry ``ae_record`` (one record validated and described).

Docs: docs/safety.md, section "AE records".
"""
