"""Project upkeep scripts (not part of the product)."""
