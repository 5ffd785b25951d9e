"""Pure rules of the product: no boto3, no chalice, no I/O."""
