"""The message catalogs (``fr/LC_MESSAGES/ctgkit.po`` and its compiled ``.mo``) and the tool
that maintains them: ``python -m ctgkit.locale`` (needs Babel, from the ``test`` extra).

    python -m ctgkit.locale update   # extract every message, update ctgkit.po, compile .mo
    python -m ctgkit.locale check    # exit 1 if a message exists in one language only

Messages come from three places: ``_()``, ``N_()`` and ``ngettext()`` in ctgkit's code
(extracted by Babel), the command line's help and the rule registry (read from the live
objects, so that docstrings need no marker), and the command-line framework's own strings
(click and typer, extracted by Babel from their installed sources).
"""
