"""Production settings: the development settings with an absolute SITEURL.

`pelican.conf.py` is not importable by name (Pelican loads it by path), so it is run with runpy
and its UPPERCASE names are copied here.
"""

import os
import runpy
from pathlib import Path

globals().update(
    {
        name: value
        for name, value in runpy.run_path(str(Path(__file__).with_name("pelican.conf.py"))).items()
        if name.isupper()
    }
)

SITEURL = os.environ.get("SITEURL", "https://news.example.org")
RELATIVE_URLS = False

# The feeds (pelican.conf.py) and plugins/discovery's sitemaps and robots.txt on the public URL.
FEED_DOMAIN = SITEURL

DELETE_OUTPUT_DIRECTORY = True

# The baked comment forms must be signed with the service's key: without COMMENTS_SECRET_KEY the
# build stops instead of signing them with the development key (which the service refuses).
COMMENTS_PRODUCTION = True

# nginx serves the published site with `gzip_static`: the build writes each page's .gz and .br
# copies (plugins/assets). `make html` skips them: `make serve` sends files as they are.
ASSETS_PRECOMPRESS = True
