"""Problem errors (RFC 9457) in one place: stable codes, the right status, words for people.

Domain and service code raise these; only the API edge turns them into ``application/problem+json``.
Messages exist in Bahasa Indonesia (``id``, the default) and English (``en``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# code -> (status, {lang: (title, detail)})
CATALOG: dict[str, tuple[int, dict[str, tuple[str, str]]]] = {
    "malformed_json": (400, {
        "id": ("JSON tidak valid", "Isi permintaan bukan JSON yang valid."),
        "en": ("Malformed JSON", "The request body is not valid JSON."),
    }),
    "invalid_cursor": (400, {
        "id": ("Kursor tidak valid", "Parameter cursor tidak dikenali; mulai lagi dari halaman pertama."),
        "en": ("Invalid cursor", "The cursor is not recognised; start again from the first page."),
    }),
    "invalid_query": (400, {
        "id": ("Parameter tidak valid", "Satu atau lebih parameter kueri tidak valid."),
        "en": ("Invalid query parameters", "One or more query parameters are invalid."),
    }),
    "invalid_idempotency_key": (400, {
        "id": ("Idempotency-Key tidak valid", "Idempotency-Key harus 1-255 karakter ASCII yang terlihat."),
        "en": ("Invalid Idempotency-Key", "Idempotency-Key must be 1-255 visible ASCII characters."),
    }),
    "unauthenticated": (401, {
        "id": ("Perlu masuk", "Permintaan ini memerlukan token masuk yang valid."),
        "en": ("Sign-in required", "This request needs a valid sign-in token."),
    }),
    "invalid_token": (401, {
        "id": ("Token tidak valid", "Token masuk tidak valid atau sudah kedaluwarsa; silakan masuk kembali."),
        "en": ("Invalid token", "The sign-in token is invalid or expired; please sign in again."),
    }),
    "tenant_not_found": (404, {
        "id": ("Pemda tidak ditemukan", "Tidak ada pemda dengan kode ini."),
        "en": ("Tenant not found", "There is no regional government with this code."),
    }),
    "report_not_found": (404, {
        "id": ("Laporan tidak ditemukan", "Laporan ini tidak ada atau Anda tidak berhak melihatnya."),
        "en": ("Report not found", "This report does not exist or you may not see it."),
    }),
    "category_not_found": (404, {
        "id": ("Kategori tidak ditemukan", "Pemda ini tidak memiliki kategori dengan kode ini."),
        "en": ("Category not found", "This regional government has no category with this code."),
    }),
    "not_found": (404, {
        "id": ("Tidak ditemukan", "Alamat ini tidak ada."),
        "en": ("Not found", "There is nothing at this address."),
    }),
    "invoice_not_found": (404, {
        "id": ("Faktur tidak ditemukan", "Tidak ada faktur untuk bulan ini: bulan harus berformat YYYY-MM dan sudah "
               "dimulai."),
        "en": ("Invoice not found", "There is no invoice for this month: the month must be YYYY-MM and already "
               "started."),
    }),
    "method_not_allowed": (405, {
        "id": ("Metode tidak diizinkan", "Metode HTTP ini tidak didukung di alamat ini."),
        "en": ("Method not allowed", "This HTTP method is not supported here."),
    }),
    "idempotency_in_progress": (409, {
        "id": ("Permintaan sedang diproses", "Permintaan dengan Idempotency-Key yang sama masih diproses; coba lagi."),
        "en": ("Request in progress", "A request with this Idempotency-Key is still being processed; retry."),
    }),
    "forbidden": (403, {
        "id": ("Tidak diizinkan", "Akun Anda tidak berhak melakukan ini."),
        "en": ("Forbidden", "Your account may not do this."),
    }),
    "tenant_suspended": (403, {
        "id": ("Layanan pemda ditangguhkan", "Layanan Aduan untuk pemda ini sedang ditangguhkan; hubungi pengelola "
               "platform. Data tidak dihapus."),
        "en": ("Tenant suspended", "Aduan is suspended for this regional government; contact the platform operator. "
               "No data was deleted."),
    }),
    "tenant_exists": (409, {
        "id": ("Kode pemda sudah dipakai", "Sudah ada pemda dengan kode ini; tidak ada yang ditimpa."),
        "en": ("Tenant already exists", "A regional government with this code already exists; nothing was "
               "overwritten."),
    }),
    "rate_limited": (429, {
        "id": ("Terlalu banyak permintaan", "Batas laporan tanpa masuk untuk pemda ini tercapai; coba lagi setelah "
               "waktu di Retry-After, atau masuk terlebih dahulu."),
        "en": ("Too many requests", "This regional government's limit for reports without sign-in is reached; "
               "retry after Retry-After, or sign in."),
    }),
    "invalid_api_key": (403, {  # as API Gateway answers a bad x-api-key
        "id": ("API key tidak valid", "API key tidak dikenal, sudah dicabut, atau milik pemda lain."),
        "en": ("Invalid API key", "The API key is unknown, revoked, or belongs to another regional government."),
    }),
    "forbidden_action": (403, {
        "id": ("Tindakan tidak diizinkan", "Peran Anda tidak boleh melakukan tindakan ini pada laporan ini."),
        "en": ("Action not allowed", "Your role may not take this action on this report."),
    }),
    "invalid_transition": (409, {
        "id": ("Tindakan tidak sesuai status", "Tindakan ini tidak bisa dilakukan dari status laporan saat ini."),
        "en": ("Invalid transition", "This action cannot be taken from the report's current status."),
    }),
    "precondition_failed": (412, {
        "id": ("Laporan sudah berubah", "Laporan diubah sejak Anda memuatnya (If-Match tidak cocok); muat ulang."),
        "en": ("Report has changed", "The report changed since you loaded it (If-Match does not match); reload it."),
    }),
    "unknown_agency": (422, {
        "id": ("Unit tidak dikenal", "Pemda ini tidak memiliki unit (OPD) dengan kode ini."),
        "en": ("Unknown unit", "This regional government has no unit (agency) with this code."),
    }),
    "sensitive_routing": (422, {
        "id": ("Tujuan tidak diizinkan", "Laporan pelanggaran ASN hanya boleh ditangani Inspektorat."),
        "en": ("Routing not allowed", "A misconduct report may only be handled by the Inspectorate."),
    }),
    "assignee_not_in_unit": (422, {
        "id": ("Petugas tidak dikenal", "Petugas yang ditunjuk bukan anggota unit yang menangani laporan ini."),
        "en": ("Unknown assignee", "The assignee is not an officer of the unit handling this report."),
    }),
    "photos_not_ready": (422, {
        "id": ("Foto belum siap", "Sertakan minimal satu foto sesudah penanganan yang sudah selesai diproses."),
        "en": ("Photos not ready", "Include at least one processed 'after' photo of this report."),
    }),
    "duplicate_not_found": (422, {
        "id": ("Laporan asli tidak ditemukan", "Laporan yang disebut sebagai aslinya tidak ada di pemda ini."),
        "en": ("Original not found", "The report named as the original does not exist in this tenant."),
    }),
    "conflict": (409, {
        "id": ("Konflik", "Laporan diubah oleh permintaan lain; muat ulang dan coba lagi."),
        "en": ("Conflict", "The report was changed by another request; reload and try again."),
    }),
    "payload_too_large": (413, {
        "id": ("Permintaan terlalu besar", "Isi permintaan melebihi 1 MB."),
        "en": ("Payload too large", "The request body is larger than 1 MB."),
    }),
    "unsupported_media_type": (415, {
        "id": ("Jenis konten tidak didukung", "Kirim isi permintaan sebagai application/json."),
        "en": ("Unsupported media type", "Send the request body as application/json."),
    }),
    "validation_failed": (422, {
        "id": ("Data tidak valid", "Beberapa isian tidak valid; lihat daftar errors."),
        "en": ("Invalid data", "Some fields are invalid; see the errors list."),
    }),
    "unknown_category": (422, {
        "id": ("Kategori tidak dikenal", "Kategori ini tidak tersedia di pemda ini."),
        "en": ("Unknown category", "This category is not offered by this regional government."),
    }),
    "outside_service_area": (422, {
        "id": ("Lokasi di luar wilayah", "Lokasi laporan berada di luar wilayah layanan pemda ini."),
        "en": ("Location outside the service area", "The location is outside this regional government's service area."),
    }),
    "too_many_photos": (422, {
        "id": ("Foto terlalu banyak", "Satu laporan boleh memiliki paling banyak 5 foto."),
        "en": ("Too many photos", "A report may have at most 5 photos."),
    }),
    "idempotency_key_reused": (422, {
        "id": ("Idempotency-Key sudah dipakai", "Idempotency-Key ini sudah dipakai untuk isi yang berbeda."),
        "en": ("Idempotency-Key reused", "This Idempotency-Key was already used for a request with a different body."),
    }),
    "auth_unavailable": (503, {
        "id": ("Layanan masuk tidak tersedia", "Kunci verifikasi masuk tidak dapat diambil; coba lagi sebentar."),
        "en": ("Sign-in verification unavailable", "The sign-in verification keys could not be fetched; retry."),
    }),
    "internal_error": (500, {
        "id": ("Kesalahan server", "Terjadi kesalahan di server kami; silakan coba lagi."),
        "en": ("Server error", "Something went wrong on our side; please try again."),
    }),
    "invalid_export_range": (422, {
        "id": ("Rentang tanggal tidak valid", "Rentang from-to harus berurutan, tidak melewati hari ini, dan paling "
               "lama 366 hari."),
        "en": ("Invalid date range", "The from-to range must be in order, not past today, and at most 366 days."),
    }),
    "export_unavailable": (503, {
        "id": ("Ekspor belum dapat dimulai", "Pekerjaan ekspor tidak dapat diantrikan; coba lagi sebentar."),
        "en": ("Export could not start", "The export job could not be queued; please retry shortly."),
    }),
    "geometry_check_unavailable": (503, {
        "id": ("Pemeriksaan wilayah tidak tersedia",
               "Batas wilayah tidak dapat diperiksa saat ini; tidak ada yang diubah. Coba lagi sebentar."),
        "en": ("Area check unavailable",
               "The area outlines could not be checked just now; nothing was changed. Please retry shortly."),
    }),
    "report_not_public": (409, {
        "id": ("Laporan tidak publik", "Dukungan dan komentar hanya untuk laporan yang tampil untuk publik."),
        "en": ("Report not public", "Supports and comments are only for reports shown to the public."),
    }),
    "report_finished": (409, {
        "id": ("Laporan sudah selesai", "Laporan ini sudah ditutup atau ditolak; dukungan baru tidak lagi dihitung."),
        "en": ("Report finished", "This report is closed or rejected; it takes no new support."),
    }),
    "support_own_report": (409, {
        "id": ("Laporan Anda sendiri", "Anda tidak dapat mendukung laporan yang Anda buat sendiri."),
        "en": ("Your own report", "You cannot support a report you filed yourself."),
    }),
    "comment_not_found": (404, {
        "id": ("Komentar tidak ditemukan", "Tidak ada komentar dengan id ini pada laporan ini."),
        "en": ("Comment not found", "There is no comment with this id on this report."),
    }),
    "comment_rate_limited": (429, {
        "id": ("Terlalu banyak komentar", "Batas komentar per jam untuk akun Anda di pemda ini tercapai; coba lagi "
               "setelah waktu di Retry-After."),
        "en": ("Too many comments", "Your hourly comment limit in this regional government is reached; retry after "
               "Retry-After."),
    }),
    "bbox_too_large": (400, {
        "id": ("Area peta terlalu luas", "Perkecil bbox (lihat max_side_m), atau minta jumlah per sel dengan "
               "cluster=true."),
        "en": ("Map area too large", "Make the bbox smaller (see max_side_m), or ask for counts per cell with "
               "cluster=true."),
    }),
}

LANGUAGES = ("id", "en")


@dataclass
class FieldError:
    """One invalid field: a dotted path, a stable code and a message per language."""

    field: str
    code: str
    message: dict[str, str]

    def render(self, lang: str) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message.get(lang, self.message["en"])}


@dataclass
class ProblemError(Exception):
    """An error the caller can act on. ``code`` picks the status and words from the catalog."""

    code: str
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CATALOG:
            raise ValueError(f"unknown problem code {self.code!r}")
        super().__init__(self.code)

    @property
    def status(self) -> int:
        return CATALOG[self.code][0]

    def render(self, lang: str, instance: str | None = None) -> dict[str, Any]:
        lang = lang if lang in LANGUAGES else "id"
        title, detail = CATALOG[self.code][1][lang]
        body: dict[str, Any] = {
            "type": f"https://aduan.id/problems/{self.code.replace('_', '-')}",
            "title": title,
            "status": self.status,
            "detail": detail,
            "code": self.code,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [e.render(lang) for e in self.errors]
        # Extension members never replace RFC 9457's own (a report's ``status`` is not the HTTP status).
        body.update({key: value for key, value in self.extra.items() if key not in body})
        return body


def query_error(field: str, code: str, id_text: str, en_text: str) -> ProblemError:
    """400 for one bad query parameter, with its field error in both languages."""
    return ProblemError("invalid_query", errors=[FieldError(field, code, {"id": id_text, "en": en_text})])


def unauthenticated() -> ProblemError:
    """401 asking for a bearer token (RFC 6750)."""
    return ProblemError("unauthenticated", headers={"WWW-Authenticate": 'Bearer realm="aduan"'})
