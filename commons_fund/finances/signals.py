"""What the finances ask of the features above them, without importing them."""

from django.dispatch import Signal

# Sent with `organisation`: a receiver answers {year: percent of the previous year's revenue
# the organisation gives} (reciprocity keeps these revenue-share policies).
giving_percents_asked = Signal()
