"""Public interaction guide pages: one page per drug pair, drug pages, the A-Z index and the sitemap."""
