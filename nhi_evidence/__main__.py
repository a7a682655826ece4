"""``python -m nhi_evidence`` works like the ``nhi-evidence`` console script."""

from nhi_evidence.cli import run

if __name__ == "__main__":
    run()
