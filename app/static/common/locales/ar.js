// Arabic texts of the parts the widget and the inbox share (see en.js).
export default {
  "status.pending": "جارٍ الإرسال",
  "status.failed": "لم تُرسل",
  "status.sent": "أُرسلت",
  "status.delivered": "وصلت",
  "status.seen": "قُرئت",
  "message.not_sent": "لم تُرسل: {reason}",
  "message.refused": "رفضها الخادم",
  "send.not_connected": "غير متصل",
  "send.no_answer": "لا رد من الخادم",
  "send.unexpected": "رد غير متوقع من الخادم",
  "day.today": "اليوم",
  "day.yesterday": "أمس",
  "time.now": "الآن",
  "time.minutes": "{count} د",
  "time.hours": "{count} س",
  "typing.someone": "أحدهم",
  "typing.named": "{name} يكتب…",
  "composer.too_long": "الرسالة طويلة جدًا: {length} حرفًا، والحد الأقصى {max}."
};
