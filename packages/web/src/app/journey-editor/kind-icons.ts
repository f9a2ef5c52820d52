/**
 * The lucide icons the node and trigger kinds name (`icon` in a kind's descriptor), imported one
 * by one so the bundle carries only these; an unknown name falls back to a plain circle.
 */
import {
  BellRing,
  CalendarClock,
  Circle,
  ClipboardCheck,
  Flag,
  GitBranch,
  Hand,
  Hourglass,
  ListPlus,
  LogOut,
  Megaphone,
  MessageSquareReply,
  Moon,
  Send,
  Sparkles,
  Split,
  Timer,
  UserPen,
  Users,
  Webhook,
  Zap,
  type LucideIcon,
} from 'lucide-react';

const ICONS: Record<string, LucideIcon> = {
  'bell-ring': BellRing,
  'calendar-clock': CalendarClock,
  'clipboard-check': ClipboardCheck,
  flag: Flag,
  'git-branch': GitBranch,
  hand: Hand,
  hourglass: Hourglass,
  'list-plus': ListPlus,
  'log-out': LogOut,
  megaphone: Megaphone,
  'message-square-reply': MessageSquareReply,
  moon: Moon,
  send: Send,
  sparkles: Sparkles,
  split: Split,
  timer: Timer,
  'user-pen': UserPen,
  users: Users,
  webhook: Webhook,
  zap: Zap,
};

/** The icon component of a kind's icon name. */
export const kindIcon = (name: string): LucideIcon => ICONS[name] ?? Circle;
