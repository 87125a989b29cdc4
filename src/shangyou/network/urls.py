from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("anonymous/", views.anonymous_toggle, name="anonymous_toggle"),
    path("companies/<int:company_id>/", views.profile, name="profile"),
    path("companies/<int:company_id>/logo/", views.profile_logo, name="profile_logo"),
    path("products/<int:public_product_id>/", views.public_product, name="public_product"),
    path(
        "products/images/<int:public_product_image_id>/",
        views.public_product_image,
        name="public_product_image",
    ),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("friends/", views.friends, name="friends"),
    path("friends/request/", views.friend_request, name="friend_request"),
    path("friends/<int:friendship_id>/answer/", views.friend_answer, name="friend_answer"),
    path("friends/<int:friendship_id>/remove/", views.friend_remove, name="friend_remove"),
    path("visitors/", views.visitors, name="visitors"),
    path("visitors/<int:visit_id>/lead/", views.visitor_lead, name="visitor_lead"),
    path("block/", views.block, name="block"),
    path("report/", views.report, name="report"),
    path("messages/", views.inbox, name="inbox"),
    path("messages/new/", views.conversation_new, name="conversation_new"),
    path("messages/unread/", views.unread_badge, name="unread_badge"),
    path("messages/<int:conversation_id>/", views.conversation, name="conversation"),
    path("messages/<int:conversation_id>/poll/", views.conversation_poll, name="conversation_poll"),
    path("messages/<int:conversation_id>/send/", views.message_send, name="message_send"),
    path("attachments/<int:message_id>/", views.attachment, name="attachment"),
    path("staff/companies/", views.staff_companies, name="staff_companies"),
    path(
        "staff/companies/<int:company_id>/verify/",
        views.staff_company_verify,
        name="staff_company_verify",
    ),
]
