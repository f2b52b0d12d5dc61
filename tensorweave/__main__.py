"""`python -m tensorweave PROGRAM.py [args]`: run a TF1 program unmodified (see runner.py)."""
from tensorweave.runner import main

if __name__ == "__main__":
    main()
