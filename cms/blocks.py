"""StreamField blocks of the site's pages, each with its own template in
`cms/templates/cms/blocks/`. Nothing here loads anything from another site: a video is a
link, not an embedded player."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt = blocks.CharBlock(
        label=_("text alternative"),
        max_length=200,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("caption"), max_length=200, required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"), max_length=1000)
    attribution = blocks.CharBlock(label=_("who said it"), max_length=200, required=False)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "cms/blocks/quote.html"


class VideoBlock(blocks.StructBlock):
    """A link to a video (PeerTube first): nothing is loaded from the video's site until the
    reader follows the link."""

    title = blocks.CharBlock(label=_("title"), max_length=200)
    url = blocks.URLBlock(label=_("address of the video"))

    class Meta:
        icon = "media"
        label = _("Video")
        template = "cms/blocks/video.html"


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=120)
    text = blocks.TextBlock(label=_("text"), max_length=500, required=False)
    label = blocks.CharBlock(label=_("button label"), max_length=60)
    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.URLBlock(label=_("or address"), required=False)

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "cms/blocks/call_to_action.html"


class OfferBlock(blocks.StructBlock):
    """A service or a bundle on offer: its price and what it includes."""

    name = blocks.CharBlock(label=_("name"), max_length=120)
    price = blocks.DecimalBlock(label=_("price incl. VAT"), min_value=0, decimal_places=2)
    per = blocks.ChoiceBlock(
        label=_("per"),
        choices=[("month", _("month")), ("year", _("year")), ("once", _("once"))],
        default="month",
    )
    included = blocks.ListBlock(blocks.CharBlock(max_length=200), label=_("included"))

    class Meta:
        icon = "tag"
        label = _("Offer")
        template = "cms/blocks/offer.html"


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("text"), features=["h2", "h3", "bold", "italic", "link", "ol", "ul"]
    )
    image = ImageBlock()
    quote = QuoteBlock()
    video = VideoBlock()
    call_to_action = CallToActionBlock()
    offer = OfferBlock()


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"), max_length=300)
    answer = blocks.RichTextBlock(
        label=_("answer"), features=["bold", "italic", "link", "ol", "ul"]
    )

    class Meta:
        icon = "help"
        label = _("Question")
        template = "cms/blocks/question.html"


class FaqBlock(blocks.StreamBlock):
    question = QuestionBlock()
