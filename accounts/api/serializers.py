from rest_framework import serializers

from accounts.models import AuditEvent, Post, User


class PostSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code")
    area_name = serializers.CharField(source="area.name")
    role_display = serializers.CharField(source="get_role_display")

    class Meta:
        model = Post
        fields = ["id", "area_code", "area_name", "role", "role_display", "start_date", "end_date"]


class MeSerializer(serializers.ModelSerializer):
    posts = serializers.SerializerMethodField()
    capabilities = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "unit", "posts", "capabilities"]

    def get_posts(self, user) -> list[dict]:
        return PostSerializer(user.active_posts(), many=True).data

    def get_capabilities(self, user) -> list[str]:
        from povalleviation.access import user_capabilities

        return sorted(user_capabilities(user))


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor", "username", "role", "action", "outcome", "summary", "object_type", "object_id",
                  "area_code", "changes", "ip_address"]
