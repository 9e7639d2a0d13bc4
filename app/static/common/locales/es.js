// Spanish texts of the parts the widget and the inbox share (see en.js).
export default {
  "status.pending": "Enviando",
  "status.failed": "No enviado",
  "status.sent": "Enviado",
  "status.delivered": "Entregado",
  "status.seen": "Visto",
  "message.not_sent": "No enviado: {reason}",
  "message.refused": "el servidor lo rechazó",
  "send.not_connected": "Sin conexión",
  "send.no_answer": "El servidor no responde",
  "send.unexpected": "Respuesta inesperada del servidor",
  "day.today": "Hoy",
  "day.yesterday": "Ayer",
  "time.now": "ahora",
  "time.minutes": "{count} min",
  "time.hours": "{count} h",
  "typing.someone": "Alguien",
  "typing.named": "{name} está escribiendo…",
  "composer.too_long": "Demasiado largo: {length} caracteres, {max} como máximo."
};
