"""The performance benchmark of issue 7: ``python -m benchmarks.run`` (``make bench``).

Not an installed app and not in the production URLs: the runner points ``ROOT_URLCONF`` at
``benchmarks.urls`` (the site's URLs plus the minimal baseline view) for its own requests only.
"""
