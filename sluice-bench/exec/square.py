"""The trivial work of the exec benchmark: one number per line in, its square out.

As an --exec child it reads stdin and answers each line with one line (sluice sets
PYTHONUNBUFFERED=1, so each print is flushed). pool_imap.py and xargs import or run the same
function, so every contender does the same work.
"""
import sys


def square(line):
    n = int(line)
    return str(n * n)


if __name__ == "__main__":
    if len(sys.argv) > 1:                # xargs style: one process per item
        # one write: with PYTHONUNBUFFERED print writes the line break apart, and the
        # processes xargs runs side by side would interleave their output
        sys.stdout.write(square(sys.argv[1]) + "\n")
    else:
        for line in sys.stdin:
            print(square(line))
