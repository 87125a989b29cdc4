from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import Field

from shangyou.core.actor import Role
from shangyou.core.api import Page, paginate, version_from
from shangyou.core.schema import Schema

from . import selectors, services

router = Router(tags=["accounts"])


class CompanyOut(Schema):
    id: int
    name: str
    slug: str
    member_type: str
    is_verified: bool
    currency: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    role: str
    team_id: int | None
    company: CompanyOut
    companies: list[CompanyOut]


class MemberOut(Schema):
    id: int
    user_id: int
    email: str
    full_name: str
    role: str
    team_id: int | None
    is_active: bool

    @staticmethod
    def resolve_email(obj) -> str:
        return obj.user.email

    @staticmethod
    def resolve_full_name(obj) -> str:
        return obj.user.full_name


class MemberPatch(Schema):
    role: Role | None = None
    team_id: int | None = None
    is_active: bool | None = None


class TeamIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    version: int | None = None


class TeamOut(Schema):
    id: int
    name: str
    version: int


class InvitationIn(Schema):
    email: str
    role: Role = Role.SALES
    team_id: int | None = None


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    team_id: int | None
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str = ""


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    key: str


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    actor = request.auth
    return {
        "id": actor.user.pk,
        "email": actor.user.email,
        "full_name": actor.user.full_name,
        "role": actor.role,
        "team_id": actor.team_id,
        "company": actor.company,
        "companies": [m.company for m in selectors.user_companies(user=actor.user)],
    }


@router.get("/members", response=Page[MemberOut])
def member_list(request: HttpRequest, limit: int = 50, offset: int = 0):
    return paginate(
        request, selectors.membership_list(actor=request.auth), limit=limit, offset=offset
    )


@router.get("/members/{member_id}", response=MemberOut)
def member_get(request: HttpRequest, member_id: int):
    return selectors.membership_get(actor=request.auth, id=member_id)


@router.patch("/members/{member_id}", response=MemberOut)
def member_update(request: HttpRequest, member_id: int, payload: MemberPatch):
    membership = selectors.membership_get(actor=request.auth, id=member_id)
    data = payload.dict(exclude_unset=True)
    return services.membership_update(
        actor=request.auth,
        membership=membership,
        role=data.get("role"),
        team_id=data.get("team_id", membership.team_id),
        is_active=data.get("is_active"),
    )


@router.get("/teams", response=Page[TeamOut])
def team_list(request: HttpRequest, limit: int = 50, offset: int = 0):
    return paginate(request, selectors.team_list(actor=request.auth), limit=limit, offset=offset)


@router.post("/teams", response={201: TeamOut})
def team_create(request: HttpRequest, payload: TeamIn):
    return Status(201, services.team_create(actor=request.auth, name=payload.name))


@router.get("/teams/{team_id}", response=TeamOut)
def team_get(request: HttpRequest, team_id: int):
    return selectors.team_get(actor=request.auth, id=team_id)


@router.patch("/teams/{team_id}", response=TeamOut)
def team_update(request: HttpRequest, team_id: int, payload: TeamIn):
    team = selectors.team_get(actor=request.auth, id=team_id)
    return services.team_update(
        actor=request.auth,
        team=team,
        name=payload.name,
        version=version_from(request, payload.version),
    )


@router.get("/invitations", response=Page[InvitationOut])
def invitation_list(request: HttpRequest, limit: int = 50, offset: int = 0):
    return paginate(
        request, selectors.invitation_list(actor=request.auth), limit=limit, offset=offset
    )


@router.post("/invitations", response={201: InvitationOut})
def invitation_create(request: HttpRequest, payload: InvitationIn):
    return Status(
        201,
        services.invitation_create(
            actor=request.auth, email=payload.email, role=payload.role, team_id=payload.team_id
        ),
    )


@router.delete("/invitations/{invitation_id}", response={204: None})
def invitation_revoke(request: HttpRequest, invitation_id: int):
    invitation = selectors.invitation_get(actor=request.auth, id=invitation_id)
    services.invitation_revoke(actor=request.auth, invitation=invitation)
    return Status(204, None)


@router.get("/tokens", response=Page[TokenOut])
def token_list(request: HttpRequest, limit: int = 50, offset: int = 0):
    return paginate(request, selectors.token_list(actor=request.auth), limit=limit, offset=offset)


@router.post("/tokens", response={201: TokenCreatedOut})
def token_create(request: HttpRequest, payload: TokenIn):
    token, raw = services.token_create(
        user=request.auth.user, company=request.auth.company, name=payload.name
    )
    token.key = raw
    return Status(201, token)


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke(request: HttpRequest, token_id: int):
    services.token_revoke(actor=request.auth, token_id=token_id)
    return Status(204, None)
