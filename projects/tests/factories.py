import factory
from djmoney.money import Money

from commons_fund.members.tests.factories import OrganisationFactory
from projects.models import BudgetLine, LineKind, Project, ProjectKind, Step


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Commun {n}")
    slug = factory.Sequence(lambda n: f"commun-{n}")
    summary = "Un commun numérique"
    kind = ProjectKind.SOFTWARE
    licence = "AGPL-3.0-or-later"
    host = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def maintainers(project, create, extracted, **kwargs):
        if create and extracted:
            project.maintainers.add(*extracted)


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    project = factory.SubFactory(ProjectFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Étape {n}")


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    step = factory.SubFactory(StepFactory)
    revision = factory.SelfAttribute("step.budget_revision")
    kind = LineKind.DEVELOPMENT
    label = "Développement"
    lump_sum = Money("1000.00", "EUR")
