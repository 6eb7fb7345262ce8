"""The crawler's spiders: ``article`` for given URLs; discovery spiders find URLs themselves."""
