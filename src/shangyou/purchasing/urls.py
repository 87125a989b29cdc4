from django.urls import path

from . import views

app_name = "purchasing"
urlpatterns = [
    path("suppliers/", views.supplier_list, name="supplier_list"),
    path("suppliers/<int:customer_id>/", views.supplier_detail, name="supplier_detail"),
    path("suppliers/<int:customer_id>/adjust/", views.supplier_adjust, name="supplier_adjust"),
    path("suppliers/<int:customer_id>/refresh/", views.supplier_refresh, name="supplier_refresh"),
    path("rfqs/", views.rfq_list, name="rfq_list"),
    path("rfqs/new/", views.rfq_create, name="rfq_create"),
    path("rfqs/<int:rfq_id>/", views.rfq_detail, name="rfq_detail"),
    path("rfqs/<int:rfq_id>/edit/", views.rfq_edit, name="rfq_edit"),
    path("rfqs/<int:rfq_id>/invite/", views.rfq_invite, name="rfq_invite"),
    path(
        "rfqs/<int:rfq_id>/invitations/<int:rfq_invite_id>/remove/",
        views.rfq_invitation_remove,
        name="rfq_invitation_remove",
    ),
    path("rfqs/<int:rfq_id>/send/", views.rfq_action, {"action": "send"}, name="rfq_send"),
    path("rfqs/<int:rfq_id>/close/", views.rfq_action, {"action": "close"}, name="rfq_close"),
    path("rfqs/<int:rfq_id>/cancel/", views.rfq_action, {"action": "cancel"}, name="rfq_cancel"),
    path("rfqs/<int:rfq_id>/delete/", views.rfq_action, {"action": "delete"}, name="rfq_delete"),
    path("rfqs/<int:rfq_id>/compare/", views.rfq_compare, name="rfq_compare"),
    path("rfqs/<int:rfq_id>/award/", views.rfq_award, name="rfq_award"),
    path("attachments/<int:quote_attachment_id>/", views.attachment, name="attachment"),
    path("incoming/", views.incoming_list, name="incoming_list"),
    path("incoming/<int:rfq_invite_id>/", views.incoming_detail, name="incoming_detail"),
    path("incoming/<int:rfq_invite_id>/decline/", views.incoming_decline, name="incoming_decline"),
    path("q/<str:token>/", views.public_answer, name="public_answer"),
    path("q/<str:token>/decline/", views.public_decline, name="public_decline"),
    path("orders/", views.po_list, name="po_list"),
    path("orders/<int:purchase_order_id>/", views.po_detail, name="po_detail"),
    path("orders/<int:purchase_order_id>/receive/", views.po_receive, name="po_receive"),
    path("orders/<int:purchase_order_id>/confirm/", views.po_confirm, name="po_confirm"),
    path("orders/<int:purchase_order_id>/cancel/", views.po_cancel, name="po_cancel"),
]
