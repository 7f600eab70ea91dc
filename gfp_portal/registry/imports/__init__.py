"""Registry import: read a CSV or Excel file, check every row against the registry as it is
(the plan), then apply the plan all or nothing through the registry's services.

Planning reads the registry once (people of the file, appointments, entities, UN Country
Teams, and the addresses of the file that accounts sign in with: one query each, whatever the
number of rows) and writes nothing; its steps are plain data, kept between the preview and the
confirmation, and applied exactly as previewed unless the registry changed in between.

    reading.py    the file's rows, in the columns of the registry export
    rows.py       each row's cells read as a person and an appointment; the file-wide rules
    loaded.py     the part of the registry a file touches, loaded once, and its version
    planning.py   the plan: each row checked against the registry's rules, as plain steps
    applying.py   the plan's steps applied through the registry's services, all or nothing
    previewed.py  the import as two jobs: its check (the preview), then its apply, confirmed
"""
