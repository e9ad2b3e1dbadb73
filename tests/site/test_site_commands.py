def test_manage_py_check_finds_no_problems(run_manage) -> None:
    result = run_manage("check", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_models_and_migrations_agree(run_manage) -> None:
    result = run_manage("makemigrations", "--check", "--dry-run")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
