/**
 * replies/ owns reply understanding: what a customer's text answer means to a journey — yes, no,
 * stop, help or unknown; a score (0–10, 1–5, stars); a keyword (the first word); the raw text.
 * Pure and table-driven: phrases of English, Portuguese (pt-PT, pt-BR), Spanish, French, German
 * and Hebrew, compared accent-, case- and punctuation-insensitively. Imports nothing.
 *
 * The rule of thumb is "the first meaningful words decide": greetings and fillers are skipped,
 * then the longest known phrase at the start wins ("not yet" before "not", "no problem" before
 * "no"). A long message only counts when its answer stands apart at the start ("Yes, it came
 * on Tuesday…"), so a paragraph that merely contains "no" somewhere stays `unknown`.
 */
import type { ReplyIntent } from '../conditions/schema.ts';
import type { ReplyFact } from '../evaluator/types.ts';

/** What the question asked for, when the journey knows it (sharpens scores). */
export type ReplyExpectation = 'yes_no' | 'score' | 'any';

/** Options of `understandReply`. */
export interface UnderstandOptions {
  /**
   * `score`: a lone number anywhere in a short answer counts ("I'd give it 8", "nota 9");
   * `yes_no` and `any` (default): only an answer that starts with the number does.
   */
  expect?: ReplyExpectation | undefined;
  /** Scores outside this inclusive range are not scores (default 0–10). */
  scale?: { min: number; max: number } | undefined;
}

/** Emoji that answer by themselves, rewritten as words before anything else. */
const EMOJI: Array<[RegExp, string]> = [
  [/👍|👌|✅|✔️?|☑️?|🆗|🙆/gu, ' yes '],
  [/👎|❌|✖️?|🚫|🙅/gu, ' no '],
];

/** A '|'-separated list of phrases. */
function words(list: string): string[] {
  return list.split('|');
}

/** Whole answers (after normalising) that mean stop or help: consent-like words of each language. */
const WHOLE: Record<'stop' | 'help', string[]> = {
  stop: words(
    'stop|stopall|unsubscribe|cancel|end|quit|optout|opt out|parar|pare|para|sair|' +
      'cancelar|remover|baja|darme de baja|arret|arrete|arreter|desabonner|stopp|' +
      'abmelden|austragen|הסר|הסרה|עצור|די',
  ),
  help: words('help|info|ajuda|ayuda|aide|hilfe|עזרה'),
};

/**
 * Leading phrases, by intent. `unknown` lists answers that look like yes/no but are not
 * ("no idea", "não sei"): they win over the shorter phrase they start with.
 */
const LEADING: Record<'yes' | 'no' | 'unknown', string[]> = {
  yes: words(
    // en
    'yes|yeah|yea|ya|yep|yup|y|sure|ok|okay|okey|oki|k|of course|absolutely|' +
      'definitely|certainly|indeed|correct|confirmed|confirm|affirmative|it did|' +
      'i did|yes please|sounds good|all good|no problem|no worries|got it|' +
      // pt
      'sim|claro|pode ser|com certeza|certo|certeza|isso|isso mesmo|beleza|blz|ta|' +
      'ta bom|esta bem|ta certo|perfeito|positivo|uhum|aham|sem problema|recebi|' +
      'chegou|' +
      // es
      'si|vale|dale|por supuesto|de acuerdo|correcto|exacto|claro que si|' +
      'sin problema|va|bueno si|llego|' +
      // fr
      'oui|ouais|ouai|ouep|d accord|daccord|dac|bien sur|absolument|volontiers|' +
      'tout a fait|exactement|carrement|pas de probleme|c est bon|parfait|' +
      // de
      'ja|jawohl|klar|na klar|genau|sicher|jep|jo|gerne|doch|alles klar|' +
      'auf jeden fall|selbstverstandlich|passt|kein problem|stimmt|richtig|' +
      'angekommen|' +
      // he
      'כן|בטח|בסדר|ברור|אוקיי|אוקי|נכון|אכן|בהחלט|הגיע|קיבלתי',
  ),
  no: words(
    // en
    'no|nope|nah|nay|n|negative|not|not yet|not really|not at all|no thanks|' +
      'no thank you|never|it didn t|didn t|it did not|did not|haven t|hasn t|' +
      'still no|still not|not arrived|' +
      // pt
      'nao|nao ainda|ainda nao|nem|nunca|negativo|de jeito nenhum|nada|nops|' +
      'nao obrigado|nao obrigada|ainda nada|' +
      // es
      'no gracias|todavia no|aun no|tampoco|para nada|nunca|negativo|' +
      'de ninguna manera|' +
      // fr
      'non|non merci|pas encore|pas vraiment|pas du tout|jamais|nan|pas|' +
      'toujours pas|' +
      // de
      'nein|nee|ne|noch nicht|nicht|nicht wirklich|gar nicht|niemals|nein danke|' +
      'leider nicht|leider nein|kein|keine|' +
      // he
      'לא|עוד לא|ממש לא|בכלל לא|לא תודה|עדיין לא|אף פעם',
  ),
  unknown: words(
    'no idea|not sure|no se|nao sei|sei la|ni idea|je ne sais pas|je sais pas|' +
      'keine ahnung|weiss nicht|לא יודע|לא יודעת|yes and no|sim e nao|si y no|' +
      'oui et non|ja und nein|maybe|talvez|quizas|tal vez|peut etre|vielleicht|אולי|' +
      'no clue|not sure yet',
  ),
};

/** Greetings and fillers skipped before the answer ("Olá, sim" → sim). */
const FILLERS = new Set(
  words(
    'hi|hello|hey|well|oh|ah|eh|uh|hmm|hm|um|so|ola|oi|bom|bem|entao|hola|bueno|' +
      'pues|bonjour|salut|alors|bah|euh|hallo|moin|also|na|שלום|היי|אה',
  ),
);

/** Number words of each language (0–10). */
const NUMBER_WORDS: Record<string, number> = Object.fromEntries(
  (
    [
      [0, 'zero null cero אפס'],
      [1, 'one um uma uno una un une eins אחת אחד'],
      [2, 'two dois duas dos deux zwei שתיים שניים שתים'],
      [3, 'three tres trois drei שלוש שלושה'],
      [4, 'four quatro cuatro quatre vier ארבע ארבעה'],
      [5, 'five cinco cinq funf חמש חמישה'],
      [6, 'six seis sechs שש שישה'],
      [7, 'seven sete siete sept sieben שבע שבעה'],
      [8, 'eight oito ocho huit acht שמונה'],
      [9, 'nine nove nueve neuf neun תשע תשעה'],
      [10, 'ten dez diez dix zehn עשר עשרה'],
    ] as const
  ).flatMap(([n, list]) => list.split(' ').map((w) => [w, n] as const)),
);

/** "4 out of 5", "4 de 5", "4 sur 5", "4 von 5", "4 מתוך 5" (after normalising; "/" kept). */
const OUT_OF = new Set(['/', 'of', 'de', 'sur', 'von', 'aus', 'em', 'מתוך', 'out']);

/** Words a score may be followed by ("5 stars", "4 estrelas", "3 points"). */
const SCORE_UNITS = new Set(
  words(
    'star|stars|estrela|estrelas|estrella|estrellas|etoile|etoiles|stern|sterne|' +
      'כוכבים|כוכב|points|pontos|puntos|punkte|nota',
  ),
);

/** Words that announce a score ("nota 9", "score: 7", "I'd give it 8"). */
const SCORE_LEADS = new Set(
  words('nota|note|score|rating|puntuacion|bewertung|give|dou|doy|donne|gebe|ציון'),
);

/** A short answer: at most this many words counts as a whole ("não, ainda não chegou"). */
const SHORT_WORDS = 8;

/** Lower case, accents and punctuation gone, emoji answers spelt out, "/" kept as a word. */
export function normaliseReply(text: string): string {
  let out = text;
  for (const [re, word] of EMOJI) out = out.replace(re, word);
  return out
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/(\d)[.,](\d)/g, '$1\uE000$2')
    .replace(/\//g, ' / ')
    .replace(/[^\p{L}\p{N}/\uE000]+/gu, ' ')
    .replace(/\uE000/g, '.')
    .replace(/(\p{L})\1{2,}/gu, '$1')
    .trim();
}

/** Phrase tables as word lists, longest first, each normalised like the replies. */
function table(phrases: string[]): string[][] {
  return [...new Set(phrases.map(normaliseReply))]
    .map((p) => p.split(' '))
    .sort((a, b) => b.length - a.length);
}

const PHRASES: Array<[ReplyIntent, string[][]]> = [
  ['unknown', table(LEADING.unknown)],
  ['yes', table(LEADING.yes)],
  ['no', table(LEADING.no)],
];
const WHOLE_NORMALISED: Array<[ReplyIntent, Set<string>]> = [
  ['stop', new Set(WHOLE.stop.map(normaliseReply))],
  ['help', new Set(WHOLE.help.map(normaliseReply))],
];

/** Words of a token that may have doubled letters from typing ("yess", "sii", "okk"). */
function variants(word: string): string[] {
  const single = word.replace(/(\p{L})\1+/gu, '$1');
  return single === word ? [word] : [word, single];
}

function startsWith(words: string[], phrase: string[]): boolean {
  return phrase.every((p, i) => {
    const w = words[i];
    return w !== undefined && variants(w).includes(p);
  });
}

/** The longest known phrase at the start of `words`: its intent and length. */
function leadingPhrase(words: string[]): { intent: ReplyIntent; length: number } | null {
  let best: { intent: ReplyIntent; length: number } | null = null;
  for (const [intent, phrases] of PHRASES) {
    for (const phrase of phrases) {
      if (best && phrase.length <= best.length) break;
      if (startsWith(words, phrase)) best = { intent, length: phrase.length };
    }
  }
  return best;
}

/**
 * A long message's answer: its first clause (up to punctuation), fillers skipped, when that
 * clause is exactly a yes or no phrase ("Yes, it came on Tuesday…" → yes).
 */
function clauseAnswer(raw: string): ReplyIntent {
  for (const clause of raw.split(/[,.;:!?…]|\s[-–—]\s/)) {
    const words = normaliseReply(clause).split(' ').filter(Boolean);
    if (words.every((w) => FILLERS.has(w))) continue;
    const lead = leadingPhrase(words);
    return lead && lead.length === words.length ? lead.intent : 'unknown';
  }
  return 'unknown';
}

function intentOf(raw: string, words: string[]): ReplyIntent {
  if (words.length === 0) return 'unknown';
  const whole = words.join(' ');
  for (const [intent, set] of WHOLE_NORMALISED) if (set.has(whole)) return intent;
  let skipped = 0;
  while (skipped < words.length - 1 && FILLERS.has(words[skipped]!)) skipped += 1;
  const rest = words.slice(skipped);
  const lead = leadingPhrase(rest);
  if (!lead || lead.intent === 'unknown') return 'unknown';
  // "Sim… quer dizer, não": a short answer holding both is no answer ("não chegou" is a no).
  const other = lead.intent === 'yes' ? 'no' : 'yes';
  if (rest.length <= SHORT_WORDS) {
    for (let j = lead.length; j < rest.length; j += 1) {
      if (leadingPhrase(rest.slice(j))?.intent !== other) continue;
      if (other === 'yes' && leadingPhrase([rest[j - 1]!])?.intent === 'no') continue;
      return 'unknown';
    }
  }
  return rest.length <= SHORT_WORDS ? lead.intent : clauseAnswer(raw);
}

function numberOf(word: string | undefined, words = true): number | undefined {
  if (word === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(word)) return Number(word);
  return words ? NUMBER_WORDS[word] : undefined;
}

function stars(text: string): number | undefined {
  const filled = [...text.matchAll(/[★⭐🌟]/gu)].length;
  if (filled === 0) return undefined;
  const rest = text.replace(/[★⭐🌟☆✩\s\uFE0F]/gu, '');
  return rest.length <= 12 ? filled : undefined;
}

function scoreOf(raw: string, words: string[], options: UnderstandOptions): number | undefined {
  const scale = options.scale ?? { min: 0, max: 10 };
  const inScale = (n: number | undefined) =>
    n !== undefined && n >= scale.min && n <= scale.max ? n : undefined;
  const starred = stars(raw);
  if (starred !== undefined) return inScale(starred);
  let i = 0;
  while (i < words.length - 1 && (FILLERS.has(words[i]!) || SCORE_LEADS.has(words[i]!))) i += 1;
  const first = numberOf(words[i]);
  if (first !== undefined) {
    const next = words[i + 1];
    const outOf = next === 'out' ? words[i + 3] : words[i + 2];
    if (next !== undefined && OUT_OF.has(next)) {
      const max = numberOf(outOf);
      return max !== undefined && first <= max ? inScale(first) : undefined;
    }
    if (next === undefined || SCORE_UNITS.has(next)) return inScale(first);
    // "5 - great service": a digit (not a number word: "un peu", "uno más") may lead a sentence.
    if (numberOf(words[i], false) !== undefined) return inScale(first);
  }
  if (options.expect === 'score' && words.length <= SHORT_WORDS) {
    const numbers = words.map((w) => numberOf(w, false)).filter((n) => n !== undefined);
    if (numbers.length === 1) return inScale(numbers[0]);
  }
  return undefined;
}

/** The first word of the text, upper-cased, without surrounding punctuation. */
function keywordOf(text: string): string | undefined {
  const word = (text.trim().split(/\s+/)[0] ?? '').replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  return word ? word.toUpperCase() : undefined;
}

/**
 * What a text reply means: intent (`yes`, `no`, `stop`, `help`, else `unknown`), a score when it
 * is one, the keyword (first word, upper-cased) and the text itself.
 *
 * ```ts
 * understandReply('Sim, chegou!')   // { text, intent: 'yes', keyword: 'SIM' }
 * understandReply('ainda não')      // { intent: 'no', keyword: 'AINDA', … }
 * understandReply('4/5')            // { intent: 'unknown', score: 4, keyword: '4', … }
 * ```
 */
export function understandReply(text: string, options: UnderstandOptions = {}): ReplyFact {
  const words = normaliseReply(text).split(' ').filter(Boolean);
  const score = scoreOf(text, words, options);
  const keyword = keywordOf(text);
  return {
    text,
    intent: intentOf(text, words),
    ...(score !== undefined ? { score } : {}),
    ...(keyword !== undefined ? { keyword } : {}),
  };
}
