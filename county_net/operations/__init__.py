"""Operations: `flask backup` and `flask restore` (docs/operations.md)."""


def init_app(app) -> None:
    from county_net.operations.cli import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
