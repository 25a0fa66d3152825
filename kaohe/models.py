"""Import every model so the metadata (and Alembic) sees the whole schema."""
from kaohe.assessments.models import AssessmentResult  # noqa: F401
from kaohe.audit.models import AuditLog  # noqa: F401
from kaohe.auth.models import ApiToken, Role, User, UserRelative  # noqa: F401
from kaohe.auth.throttle import LoginLimit  # noqa: F401
from kaohe.officials.models import Official, Post  # noqa: F401
from kaohe.orgnotes.models import OrgNote  # noqa: F401
from kaohe.reviews.models import Review  # noqa: F401
from kaohe.units.models import Unit  # noqa: F401
from kaohe.dossier.models import Dossier  # noqa: F401
from kaohe.settings.models import Setting  # noqa: F401
from kaohe.unitassess.models import Scheme  # noqa: F401
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion, ToleranceExemption  # noqa: F401,E501
from kaohe.interop.models import AppointmentSheet, FamilyMember  # noqa: F401
from kaohe.search.saved import SavedSearch  # noqa: F401
from kaohe.search.index import OfficialSearchKey  # noqa: F401
from kaohe.discussions.models import AgendaItem, Discussion, DiscussionBundle  # noqa: F401
from kaohe.moves.models import Appointment, Holiday, Publicity  # noqa: F401
from kaohe.todos.models import TodoDigest  # noqa: F401
from kaohe.jobs.models import Job  # noqa: F401
from kaohe.kaocha.models import DemocraticRecommendation, InspectionReport  # noqa: F401
from kaohe.discussions.member_list_models import MemberList  # noqa: F401
from kaohe.discipline.letter_models import IntegrityLetter  # noqa: F401
