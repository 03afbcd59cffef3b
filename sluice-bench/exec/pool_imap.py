"""The Python peer: multiprocessing.Pool(2).imap(square, stdin, chunksize=64), in order."""
import sys
from multiprocessing import Pool

from square import square

if __name__ == "__main__":
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    chunksize = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    out = sys.stdout
    with Pool(workers) as pool:
        for result in pool.imap(square, sys.stdin, chunksize=chunksize):
            out.write(result)
            out.write("\n")
