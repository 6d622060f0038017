"""What the printed reports show, read in bulk: dataclasses only, no layout.

Why a package of its own: a report shows figures and text gathered from many tables
(an audit's case, team, worker, answers, actions, comments and disagreement), and a
week's batch needs hundreds of them; reading them here with one query per table keeps
the SQL out of ``desktop/reports`` and the batch fast.
"""
