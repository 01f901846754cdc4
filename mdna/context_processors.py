from django.conf import settings


def region(request):
    return {
        "REGION_NAME": settings.MDNA_REGION_NAME,
        "REGION_SHORT": settings.MDNA_REGION_SHORT,
        "REGION_LOGO": settings.MDNA_REGION_LOGO,
        "CONTACT_EMAIL": settings.MDNA_CONTACT_EMAIL,
        "CONTACT_PHONE": settings.MDNA_CONTACT_PHONE,
        "REGION_ADDRESS": settings.MDNA_REGION_ADDRESS,
        "FRANCECONNECT_ACTIVE": getattr(settings, "FRANCECONNECT_ACTIVE", False),
    }
