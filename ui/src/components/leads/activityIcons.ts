import type { IconName } from '../shared/icons';

/** The icon of each activity type code; unknown codes get a generic one. */
const ACTIVITY_ICONS: Record<string, IconName> = {
  booth_visit: 'booth',
  card_exchange: 'card',
  document_request: 'document',
  seminar_registered: 'calendar',
  seminar_attended: 'presentation',
  webinar_registered: 'calendar',
  webinar_attended: 'video',
  email_sent: 'send',
  email_opened: 'mailOpen',
  email_clicked: 'pointer',
  email_bounced: 'mailX',
  email_unsubscribed: 'mailOff',
  page_view: 'eye',
  call: 'phone',
  meeting: 'meeting',
  note: 'note',
};

export function activityIcon(kind: string): IconName {
  return ACTIVITY_ICONS[kind] ?? 'activity';
}

/** Types worth a warning colour (the lead can no longer be reached by email). */
export function isNegativeActivity(kind: string): boolean {
  return kind === 'email_bounced' || kind === 'email_unsubscribed';
}
