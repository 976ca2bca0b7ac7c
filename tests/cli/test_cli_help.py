"""`mnd --help` in Spanish: Typer's own words (usage, panels, the help option) included."""

from __future__ import annotations

from typer.testing import CliRunner

from mnd.cli.main import app


def test_help_pages_are_spanish() -> None:
    for args in (["--help"], ["sale", "show", "--help"], ["staff", "add", "--help"]):
        result = CliRunner().invoke(app, args, env={"COLUMNS": "120"})
        assert result.exit_code == 0, result.output
        out = result.output
        assert "Uso: mnd" in out and "Opciones" in out
        assert "Muestra esta ayuda y termina." in out
        for english in ("Usage:", "Show this message and exit.", "[required]", "[default:"):
            assert english not in out, (args, english)


def test_role_help_shows_labels_beside_the_ids() -> None:
    result = CliRunner().invoke(app, ["staff", "add", "--help"], env={"COLUMNS": "200"})
    assert "commercial_support (Soporte Comercial)" in result.output
