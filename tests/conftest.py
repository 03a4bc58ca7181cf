import os

# Unit tests never show progress bars and always run the smallest experiments.
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("BOOK_SIZE", "smoke")
