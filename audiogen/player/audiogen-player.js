// <audiogen-player>: the narration of an article, on the article's own page.
//
// One file, no framework, no build step, no requests but the publisher's own files.
// Every text from the files (title, transcript) goes in as text, never as HTML; styles
// are constructed stylesheets inside a shadow root, so a strict Content-Security-Policy
// (no inline script, no inline style, no eval) is enough and the page's CSS stays its own.
//
//   <script type="module" src="audiogen-player.js"></script>
//   <audiogen-player src="article.mp3" transcript="article.vtt" timings="article.json"></audiogen-player>
//
// Attributes: src, timings (audiogen's JSON timings), transcript (WebVTT, used when there
// are no timings), track-title, artwork, label (the AI label's text), about (a page
// explaining the AI narration), article (a CSS selector for the article; default: the
// page), autoscroll (follow the voice from the start), no-download, mini (bottom, top or
// off: where a compact bar stays while the playing player is scrolled out of view).
// Where each episode was left is kept in this browser (after 10 s heard, for 30 days) and
// offered on the next visit ("Resume at 3:12"); no cookie, nothing sent.
// Sponsors: sponsor (the service's /sponsor address, with stats and episode) asks, at the
// first press of play, which spot plays before, in the middle of or after the article; it
// plays as a clip of its own, labelled "Sponsor", skippable after 5 s. ads="off": nothing
// is asked; ads="on": the page has the listener's consent, so a VAST tag may be fetched
// (else only the publisher's own spots play). A subscriber's signed link never gets one.

const DEFAULT_LABEL = "AI-generated audio";
// The player's words in the languages audiogen narrates, chosen by the element's lang
// attribute, else the narration's language, else the page's (written for audiogen).
const WORDS = {
  en: {
    play: "Play", pause: "Pause", seek: "Seek", back: (n) => `Back ${n} seconds`, forward: (n) => `Forward ${n} seconds`,
    speed: "Speed", mute: "Mute", unmute: "Unmute", volume: "Volume", follow: "Follow along", transcript: "Transcript",
    download: "Download", listen: "Listen", article: "Listen to this article", label: DEFAULT_LABEL,
    explain: (engine) => `This is a narration of the article made by a computer voice${engine}, not read by a person. ` +
      "It may mispronounce some names or words; the written article is the reference.",
    more: "Learn more about this audio",
    resume: (t) => `Resume at ${t}`, nowPlaying: "Now playing", close: "Close",
    playlist: "Playlist", upNext: "Up next", playItem: (t) => `Play: ${t}`, up: (t) => `Move ${t} up`,
    down: (t) => `Move ${t} down`, skip: "Skip", unplayable: "This episode could not be played; skipped.",
    notFeed: "This is not a podcast feed.", noFeed: "The list of episodes could not be loaded.", empty: "No episodes yet.",
    next: (n) => `Next episode in ${n} s`, cancel: "Cancel", playNext: "Play next",
  },
  es: {
    play: "Reproducir", pause: "Pausa", seek: "Posición", back: (n) => `Retroceder ${n} segundos`,
    forward: (n) => `Avanzar ${n} segundos`, speed: "Velocidad", mute: "Silenciar", unmute: "Activar el sonido",
    volume: "Volumen", follow: "Seguir la lectura", transcript: "Transcripción", download: "Descargar",
    listen: "Escuchar", article: "Escuchar este artículo", label: "Audio generado con IA",
    explain: (engine) => `Esta es una narración del artículo hecha por una voz sintética${engine}, no leída por una persona. ` +
      "Puede pronunciar mal algunos nombres o palabras; el artículo escrito es la referencia.",
    more: "Más información sobre este audio",
    resume: (t) => `Continuar en ${t}`, nowPlaying: "Reproduciendo", close: "Cerrar",
    playlist: "Lista de reproducción", upNext: "A continuación", playItem: (t) => `Reproducir: ${t}`, up: (t) => `Subir ${t}`,
    down: (t) => `Bajar ${t}`, skip: "Saltar", unplayable: "Este episodio no se pudo reproducir; se salta.",
    notFeed: "Esto no es un feed de pódcast.", noFeed: "No se pudo cargar la lista de episodios.", empty: "Aún no hay episodios.",
    next: (n) => `Siguiente episodio en ${n} s`, cancel: "Cancelar", playNext: "Reproducir el siguiente",
  },
  fr: {
    play: "Lecture", pause: "Pause", seek: "Position", back: (n) => `Reculer de ${n} secondes`,
    forward: (n) => `Avancer de ${n} secondes`, speed: "Vitesse", mute: "Couper le son", unmute: "Rétablir le son",
    volume: "Volume", follow: "Suivre la lecture", transcript: "Transcription", download: "Télécharger",
    listen: "Écouter", article: "Écouter cet article", label: "Audio généré par IA",
    explain: (engine) => `Ceci est une narration de l'article réalisée par une voix de synthèse${engine}, et non lue par une personne. ` +
      "Elle peut mal prononcer certains noms ou mots ; l'article écrit fait référence.",
    more: "En savoir plus sur cet audio",
    resume: (t) => `Reprendre à ${t}`, nowPlaying: "En cours de lecture", close: "Fermer",
    playlist: "Liste de lecture", upNext: "À suivre", playItem: (t) => `Écouter : ${t}`, up: (t) => `Monter ${t}`,
    down: (t) => `Descendre ${t}`, skip: "Passer", unplayable: "Cet épisode n'a pas pu être lu ; il est passé.",
    notFeed: "Ce n'est pas un flux de podcast.", noFeed: "La liste des épisodes n'a pas pu être chargée.", empty: "Aucun épisode pour l'instant.",
    next: (n) => `Épisode suivant dans ${n} s`, cancel: "Annuler", playNext: "Écouter le suivant",
  },
  it: {
    play: "Riproduci", pause: "Pausa", seek: "Posizione", back: (n) => `Indietro di ${n} secondi`,
    forward: (n) => `Avanti di ${n} secondi`, speed: "Velocità", mute: "Disattiva l'audio", unmute: "Riattiva l'audio",
    volume: "Volume", follow: "Segui la lettura", transcript: "Trascrizione", download: "Scarica",
    listen: "Ascolta", article: "Ascolta questo articolo", label: "Audio generato con IA",
    explain: (engine) => `Questa è una lettura dell'articolo fatta da una voce sintetica${engine}, non da una persona. ` +
      "Può pronunciare male alcuni nomi o parole; fa fede l'articolo scritto.",
    more: "Maggiori informazioni su questo audio",
    resume: (t) => `Riprendi da ${t}`, nowPlaying: "In riproduzione", close: "Chiudi",
    playlist: "Playlist", upNext: "Prossimo", playItem: (t) => `Ascolta: ${t}`, up: (t) => `Sposta su ${t}`,
    down: (t) => `Sposta giù ${t}`, skip: "Salta", unplayable: "Questo episodio non si può riprodurre; saltato.",
    notFeed: "Questo non è un feed di podcast.", noFeed: "Non è stato possibile caricare gli episodi.", empty: "Ancora nessun episodio.",
    next: (n) => `Prossimo episodio tra ${n} s`, cancel: "Annulla", playNext: "Ascolta il prossimo",
  },
  pt: {
    play: "Reproduzir", pause: "Pausar", seek: "Posição", back: (n) => `Voltar ${n} segundos`,
    forward: (n) => `Avançar ${n} segundos`, speed: "Velocidade", mute: "Silenciar", unmute: "Ativar o som",
    volume: "Volume", follow: "Acompanhar a leitura", transcript: "Transcrição", download: "Baixar",
    listen: "Ouvir", article: "Ouvir este artigo", label: "Áudio gerado por IA",
    explain: (engine) => `Esta é uma narração do artigo feita por uma voz sintética${engine}, não lida por uma pessoa. ` +
      "Pode pronunciar mal alguns nomes ou palavras; o artigo escrito é a referência.",
    more: "Saiba mais sobre este áudio",
    resume: (t) => `Continuar em ${t}`, nowPlaying: "Tocando agora", close: "Fechar",
    playlist: "Playlist", upNext: "A seguir", playItem: (t) => `Ouvir: ${t}`, up: (t) => `Subir ${t}`,
    down: (t) => `Descer ${t}`, skip: "Pular", unplayable: "Este episódio não pôde ser tocado; pulado.",
    notFeed: "Isto não é um feed de podcast.", noFeed: "Não foi possível carregar os episódios.", empty: "Ainda não há episódios.",
    next: (n) => `Próximo episódio em ${n} s`, cancel: "Cancelar", playNext: "Ouvir o próximo",
  },
  hi: {
    play: "चलाएँ", pause: "रोकें", seek: "स्थिति", back: (n) => `${n} सेकंड पीछे`, forward: (n) => `${n} सेकंड आगे`,
    speed: "गति", mute: "आवाज़ बंद करें", unmute: "आवाज़ चालू करें", volume: "आवाज़", follow: "साथ-साथ पढ़ें",
    transcript: "प्रतिलेख", download: "डाउनलोड करें", listen: "सुनें", article: "यह लेख सुनें", label: "एआई से बना ऑडियो",
    explain: (engine) => `इस लेख का वाचन एक कंप्यूटर आवाज़${engine} ने किया है, किसी व्यक्ति ने नहीं। ` +
      "कुछ नाम या शब्द गलत बोले जा सकते हैं; लिखा हुआ लेख ही प्रामाणिक है।",
    more: "इस ऑडियो के बारे में और जानें",
    resume: (t) => `${t} से जारी रखें`, nowPlaying: "अभी चल रहा है", close: "बंद करें",
    playlist: "प्लेलिस्ट", upNext: "आगे", playItem: (t) => `सुनें: ${t}`, up: (t) => `${t} ऊपर ले जाएँ`,
    down: (t) => `${t} नीचे ले जाएँ`, skip: "छोड़ें", unplayable: "यह एपिसोड नहीं चल सका; छोड़ दिया गया।",
    notFeed: "यह पॉडकास्ट फ़ीड नहीं है।", noFeed: "एपिसोड की सूची लोड नहीं हो सकी।", empty: "अभी कोई एपिसोड नहीं।",
    next: (n) => `अगला एपिसोड ${n} सेकंड में`, cancel: "रद्द करें", playNext: "अगला सुनें",
  },
  ja: {
    play: "再生", pause: "一時停止", seek: "再生位置", back: (n) => `${n}秒戻る`, forward: (n) => `${n}秒進む`,
    speed: "再生速度", mute: "ミュート", unmute: "ミュート解除", volume: "音量", follow: "読み上げ箇所を表示",
    transcript: "テキスト", download: "ダウンロード", listen: "聞く", article: "この記事を聞く", label: "AI音声",
    explain: (engine) => `この記事は人ではなくコンピューターの音声${engine}が読み上げています。` +
      "名前や言葉の読みが誤っている場合があります。正確な内容は記事の本文をご覧ください。",
    more: "この音声について詳しく",
    resume: (t) => `${t}から再開`, nowPlaying: "再生中", close: "閉じる",
    playlist: "プレイリスト", upNext: "次に再生", playItem: (t) => `再生：${t}`, up: (t) => `${t}を上へ`,
    down: (t) => `${t}を下へ`, skip: "スキップ", unplayable: "このエピソードは再生できないため、スキップしました。",
    notFeed: "これはポッドキャストのフィードではありません。", noFeed: "エピソードの一覧を読み込めませんでした。", empty: "まだエピソードはありません。",
    next: (n) => `${n}秒後に次のエピソード`, cancel: "キャンセル", playNext: "次を再生",
  },
  zh: {
    play: "播放", pause: "暂停", seek: "播放进度", back: (n) => `后退${n}秒`, forward: (n) => `前进${n}秒`,
    speed: "播放速度", mute: "静音", unmute: "取消静音", volume: "音量", follow: "跟读文字",
    transcript: "文字稿", download: "下载", listen: "收听", article: "收听本文", label: "AI 语音",
    explain: (engine) => `本文由计算机语音${engine}朗读，而非真人。` +
      "部分人名或词语的读音可能有误，请以文字稿为准。",
    more: "了解有关此音频的更多信息",
    resume: (t) => `从 ${t} 继续`, nowPlaying: "正在播放", close: "关闭",
    playlist: "播放列表", upNext: "接下来", playItem: (t) => `播放：${t}`, up: (t) => `上移 ${t}`,
    down: (t) => `下移 ${t}`, skip: "跳过", unplayable: "此节目无法播放，已跳过。",
    notFeed: "这不是播客订阅源。", noFeed: "无法加载节目列表。", empty: "暂无节目。",
    next: (n) => `${n} 秒后播放下一集`, cancel: "取消", playNext: "播放下一集",
  },
};

function wordsFor(language) {
  return WORDS[String(language || "").toLowerCase().split(/[-_]/)[0]] || WORDS.en;
}
const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3];
const SPEED_KEY = "audiogen-player:speed";
const SKIP_SECONDS = 15;
// shares of the episode heard that the player reports, when it has a stats attribute
// quarters (the first figures) and every tenth heard: the drop-off curve
const HEARD_MARKS = [10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 100];
// where each episode was left, in this browser only: kept after 10 s heard, for 30 days
const POSITION_KEY = "audiogen-player:position:";
const RESUME_AFTER = 10;
const RESUME_DAYS = 30;
const ARROW_SECONDS = 5;

const PLAYER_CSS = `
:host { all: initial; display: block; contain: content; }
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.player {
  --bg: #ffffff; --fg: #1a1a1a; --muted: #4a4a4a; --line: #8a8a8a; --accent: #1d4ed8;
  --accent-fg: #ffffff; --current-bg: #dbeafe; --current-fg: #10223f; --focus: #b45309;
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif;
  color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 12px;
  padding: 12px 14px; max-width: 100%; min-width: 0;
}
@media (prefers-color-scheme: dark) {
  .player {
    --bg: #111827; --fg: #f3f4f6; --muted: #d1d5db; --line: #6b7280; --accent: #93c5fd;
    --accent-fg: #0b1220; --current-bg: #1e3a8a; --current-fg: #ffffff; --focus: #fbbf24;
  }
}
.top { display: flex; align-items: center; gap: 12px; min-width: 0; }
.heading { min-width: 0; flex: 1; }
.title { display: block; font-weight: 600; overflow-wrap: anywhere; }
button, select, a.download, summary {
  font: inherit; color: inherit; min-height: 40px; min-width: 40px; border-radius: 8px;
}
button, select {
  background: transparent; border: 1px solid var(--line); padding: 4px 10px; cursor: pointer;
}
button.play {
  width: 52px; height: 52px; border-radius: 50%; background: var(--accent); color: var(--accent-fg);
  border: none; flex: none; display: grid; place-items: center; padding: 0;
}
button svg { width: 22px; height: 22px; fill: currentColor; display: block; }
button.skip { display: inline-flex; align-items: center; gap: 2px; font-size: 14px; font-variant-numeric: tabular-nums; }
button[aria-pressed="true"] { background: var(--current-bg); color: var(--current-fg); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.seek { display: flex; align-items: center; gap: 8px; margin: 10px 0 6px; }
.seek input { flex: 1; min-width: 0; }
input[type="range"] { accent-color: var(--accent); min-height: 24px; }
.time { font-variant-numeric: tabular-nums; color: var(--muted); font-size: 14px; min-width: 3.2em; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.controls label { display: inline-flex; align-items: center; gap: 6px; color: var(--muted); font-size: 14px; }
select { background: var(--bg); }
.volume input { width: 90px; }
a.download { color: var(--accent); display: inline-flex; align-items: center; padding: 4px 6px; }
.ai { margin-top: 2px; font-size: 14px; color: var(--muted); }
.ai summary { display: inline-flex; align-items: center; cursor: pointer; min-height: 24px; gap: 6px; }
.badge {
  display: inline-block; padding: 1px 8px; border-radius: 999px; border: 1px solid var(--line);
  color: var(--fg); font-size: 13px; font-weight: 600;
}
.ai p { margin: 6px 0 0; }
.ai a, .transcript a { color: var(--accent); }
.transcript {
  list-style: none; margin: 10px 0 0; padding: 6px 0 0; border-top: 1px solid var(--line);
  max-height: 18em; overflow-y: auto;
}
.transcript li { margin: 0; }
.transcript button {
  display: block; width: 100%; text-align: left; border: none; border-radius: 6px;
  padding: 4px 8px; min-height: 32px; line-height: 1.4;
}
.transcript .heading-cue { font-weight: 600; }
.transcript button[aria-current="true"] { background: var(--current-bg); color: var(--current-fg); }
.status { margin: 6px 0 0; font-size: 14px; color: var(--muted); min-height: 0; }
.sponsor { display: flex; align-items: center; gap: 10px; margin: 8px 0 0; padding: 6px 10px; border-radius: 8px; background: var(--soft, #eef2ff); font-size: 14px; }
.sponsor[hidden] { display: none; }
.sponsor .label { font-weight: 700; text-transform: uppercase; letter-spacing: .04em; }
.sponsor button { margin-left: auto; min-height: 32px; padding: 4px 12px; border-radius: 16px; border: 1px solid currentColor; background: transparent; color: inherit; font: inherit; cursor: pointer; }
.sponsor button:disabled { opacity: .75; cursor: default; }
.word-now { background: var(--accent); color: var(--accent-fg); border-radius: 3px; }
@media (forced-colors: active) { .word-now { background: Highlight; color: HighlightText; forced-color-adjust: none; } }
button.resume { margin-top: 8px; background: var(--current-bg); color: var(--current-fg); border-color: var(--accent); }
.up-next { margin-top: 8px; display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.up-next .count { color: var(--muted); font-size: 14px; }
.status:empty { display: none; }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
}
@media (max-width: 420px) {
  .player { padding: 10px; }
  .volume input { width: 70px; }
}
@media (prefers-reduced-motion: reduce) {
  * { transition: none !important; animation: none !important; scroll-behavior: auto !important; }
}
`;

// what the host page gets: the spoken paragraph and sentence marked, in colours that
// follow the reader's scheme (system colours: contrast is the browser's)
const PAGE_CSS = `
:where([data-audiogen-current="paragraph"]) { box-shadow: -8px 0 0 0 Highlight; }
:where([data-audiogen-current="sentence"]) { background: Mark; color: MarkText; border-radius: 2px; }
:where([data-audiogen-segment]) { cursor: pointer; }
::highlight(audiogen-current) { background: Mark; color: MarkText; }
::highlight(audiogen-word) { background: Highlight; color: HighlightText; }
`;

const ICONS = {
  play: "M8 5v14l11-7z",
  pause: "M6 5h4v14H6zm8 0h4v14h-4z",
  back: "M12 5V1L7 6l5 5V7a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z",
  forward: "M12 5V1l5 5-5 5V7a6 6 0 1 0 6 6h2a8 8 0 1 1-8-8z",
  volume: "M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4z",
  muted: "M3 9v6h4l5 5V4L7 9H3zm13.6 3 2.7-2.7-1.4-1.4-2.7 2.7-2.7-2.7-1.4 1.4 2.7 2.7-2.7 2.7 1.4 1.4 2.7-2.7 2.7 2.7 1.4-1.4z",
};

let sheet = null;
let pageSheetAdopted = false;

// the mini-player: a bar fixed to the bottom (or top) of the viewport, outside the page's
// layout (fixed, so nothing on the page moves when it comes or goes)
const MINI_CSS = `
:host { all: initial; }
.mini {
  --bg: #ffffff; --fg: #1a1a1a; --line: #8a8a8a; --accent: #1d4ed8; --accent-fg: #ffffff; --focus: #b45309;
  position: fixed; left: 0; right: 0; z-index: 2147483000; display: flex; align-items: center; gap: 10px;
  padding: 8px 12px; background: var(--bg); color: var(--fg); border-top: 1px solid var(--line);
  font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif; box-shadow: 0 -2px 8px rgba(0,0,0,.15);
}
.mini.bottom { bottom: 0; }
.mini.top { top: 0; border-top: none; border-bottom: 1px solid var(--line); }
@media (prefers-color-scheme: dark) {
  .mini { --bg: #111827; --fg: #f3f4f6; --line: #6b7280; --accent: #93c5fd; --accent-fg: #0b1220; --focus: #fbbf24; }
}
button { font: inherit; color: inherit; min-width: 40px; min-height: 40px; border-radius: 8px; cursor: pointer;
  background: transparent; border: 1px solid var(--line); }
button.toggle { background: var(--accent); color: var(--accent-fg); border: none; border-radius: 50%; display: grid; place-items: center; }
button svg { width: 20px; height: 20px; fill: currentColor; }
.title { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-weight: 600; }
progress { width: 25%; accent-color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
@media (forced-colors: active) { .mini { border: 1px solid CanvasText; } }
`;
let miniSheet = null;

function stylesheet(text) {
  const made = new CSSStyleSheet();
  made.replaceSync(text);
  return made;
}

function el(name, attributes = {}, ...children) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) node.append(child);
  return node;
}

function icon(name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

function clock(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

function spokenTime(seconds) {
  const whole = Math.max(0, Math.floor(seconds || 0));
  const m = Math.floor(whole / 60);
  const s = whole % 60;
  const parts = [];
  if (m) parts.push(`${m} minute${m === 1 ? "" : "s"}`);
  parts.push(`${s} second${s === 1 ? "" : "s"}`);
  return parts.join(" ");
}

// A URL from an attribute, resolved against the page; only http(s), relative or blob
// addresses are used (a javascript: URL never becomes a link).
function safeUrl(value) {
  if (!value) return null;
  try {
    const url = new URL(value, document.baseURI);
    return ["http:", "https:", "blob:"].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

// -- sponsors: the service's answer, and VAST 4 -----------------------------------------------

const SPONSOR_WAIT_MS = 2000;
const VAST_WAIT_MS = 3000;
const VAST_DEPTH = 5;
const VAST_AUDIO = /^audio\/(mpeg|mp3|mp4|aac|ogg|x-m4a)/i;

async function fetchWithin(url, ms, signal) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  if (signal) signal.addEventListener("abort", () => controller.abort());
  try {
    return await fetch(url, { credentials: "omit", signal: controller.signal, cache: "no-store" });
  } finally {
    clearTimeout(timer);
  }
}

// Fire tracking pixels (GET, no cookies, nothing read back); [ERRORCODE] filled in.
function fireTrackers(urls, code) {
  for (const raw of urls || []) {
    const url = safeUrl(raw.replace(/\[ERRORCODE\]/g, String(code || 900)).replace(/\[CACHEBUSTING\]/g, String(Date.now())));
    if (url) fetch(url, { mode: "no-cors", credentials: "omit", keepalive: true }).catch(() => {});
  }
}

function vastFailure(code, trackers) {
  const failure = new Error(`VAST ${code}`);
  failure.code = code;
  failure.trackers = trackers;
  return failure;
}

// A VAST tag followed through its wrappers (at most five) to an inline linear ad whose
// media an <audio> element can play: its URL and every tracker met on the way. Within
// three seconds in all; a failure carries the VAST error code and the error trackers.
async function resolveVast(tag) {
  const trackers = { impression: [], error: [], start: [], firstQuartile: [], midpoint: [], thirdQuartile: [], complete: [], skip: [] };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), VAST_WAIT_MS);
  const probe = document.createElement("audio");
  try {
    let url = safeUrl(tag);
    for (let depth = 0; depth <= VAST_DEPTH; depth++) {
      if (!url) throw vastFailure(900, trackers);
      let text;
      try {
        const response = await fetchWithin(url, VAST_WAIT_MS, controller.signal);
        if (!response.ok) throw vastFailure(depth ? 301 : 900, trackers);
        text = await response.text();
      } catch (error) {
        throw error && error.code ? error : vastFailure(depth ? 301 : 900, trackers);
      }
      const doc = new DOMParser().parseFromString(text, "application/xml");
      if (doc.querySelector("parsererror") || !doc.documentElement || doc.documentElement.nodeName !== "VAST") {
        throw vastFailure(100, trackers);
      }
      const ad = doc.documentElement.querySelector(":scope > Ad");
      if (!ad) throw vastFailure(303, trackers);
      const texts = (selector) => [...ad.querySelectorAll(selector)].map((node) => node.textContent.trim()).filter(Boolean);
      trackers.impression.push(...texts("Impression"));
      trackers.error.push(...texts("Error"));
      for (const node of ad.querySelectorAll("Linear TrackingEvents Tracking")) {
        const kind = node.getAttribute("event");
        if (kind in trackers && node.textContent.trim()) trackers[kind].push(node.textContent.trim());
      }
      const wrapper = ad.querySelector(":scope > Wrapper");
      if (wrapper) {
        if (depth === VAST_DEPTH) throw vastFailure(302, trackers);
        url = safeUrl((wrapper.querySelector("VASTAdTagURI") || {}).textContent?.trim());
        continue;
      }
      const media = [...ad.querySelectorAll("InLine Linear MediaFile")].find((node) => {
        const type = node.getAttribute("type") || "";
        return VAST_AUDIO.test(type) && probe.canPlayType(type) !== "" && safeUrl(node.textContent.trim());
      });
      if (!media) throw vastFailure(403, trackers);
      return { audio: safeUrl(media.textContent.trim()), trackers };
    }
    throw vastFailure(302, trackers);
  } finally {
    clearTimeout(timer);
  }
}

// A sentence's text as spans, one per timed word (the text between them kept as text).
function wordSpans(text, words) {
  const out = [];
  let position = 0;
  words.forEach((word, index) => {
    const wanted = squash(word.text);
    const found = text.indexOf(wanted, position);
    if (found < 0) return;
    if (found > position) out.push(text.slice(position, found));
    out.push(el("span", { "data-word": index }, wanted));
    position = found + wanted.length;
  });
  if (!out.length) return null;
  if (position < text.length) out.push(text.slice(position));
  return out;
}

function squash(text) {
  return text.replace(/\s+/g, " ").trim();
}

function parseVtt(text) {
  const cues = [];
  const blocks = text.replace(/\r/g, "").split(/\n\n+/);
  const stamp = /(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})/;
  const seconds = (match) => (Number(match[1] || 0) * 3600) + Number(match[2]) * 60 + Number(match[3]) + Number(match[4]) / 1000;
  for (const block of blocks) {
    const lines = block.split("\n");
    const at = lines.findIndex((line) => line.includes("-->"));
    if (at < 0) continue;
    const [from, to] = lines[at].split("-->");
    const start = stamp.exec(from);
    const end = stamp.exec(to);
    if (!start || !end) continue;
    cues.push({ start: seconds(start), end: seconds(end), text: lines.slice(at + 1).join(" "), part: null, segment: null, kind: "paragraph" });
  }
  return cues;
}

function fromTimings(data) {
  const cues = [];
  for (const part of data.segments || []) {
    (part.sentences || []).forEach((sentence, index) => {
      cues.push({
        start: sentence.start_ms / 1000,
        end: sentence.end_ms / 1000,
        text: String(sentence.text || ""),
        part: part.part,
        segment: part.segment === undefined ? null : part.segment,
        sentence: index,
        kind: part.kind || "paragraph",
        // each word's time, where the voice gave them (Piper and Kokoro do)
        words: (sentence.words || [])
          .filter((w) => Number.isFinite(w.start_ms) && Number.isFinite(w.end_ms) && w.text)
          .map((w) => ({ start: w.start_ms / 1000, end: w.end_ms / 1000, text: String(w.text) })),
      });
    });
  }
  return cues;
}

class AudiogenPlayer extends HTMLElement {
  static get observedAttributes() {
    return ["src", "timings", "transcript", "label", "track-title", "about", "lang", "mini", "feed"];
  }

  constructor() {
    super();
    this.root = this.attachShadow({ mode: "open" });
    sheet = sheet || stylesheet(PLAYER_CSS);
    this.root.adoptedStyleSheets = [sheet];
    this.cues = [];
    this.current = -1;
    this.duration = 0;
    this.following = false;
    this.pendingSeek = null;
    this.meta = {};
    this.pageMarks = [];
    this.textRanges = [];
    this.words = wordsFor(this.getAttribute("lang") || document.documentElement.lang);
    this.build();
  }

  // -- structure ----------------------------------------------------------------------

  build() {
    const audio = el("audio", { preload: "none" });
    this.audio = audio;
    this.playButton = el("button", { type: "button", class: "play", "aria-label": this.words.play }, icon("play"));
    this.titleText = el("span", { class: "title" });
    this.badge = el("span", { class: "badge" });
    this.explanation = el("p");
    this.about = el("details", { class: "ai" }, el("summary", {}, this.badge), this.explanation);
    const heading = el("div", { class: "heading" }, this.titleText, this.about);
    this.elapsed = el("span", { class: "time elapsed", "aria-hidden": "true" }, "0:00");
    this.remaining = el("span", { class: "time remaining", "aria-hidden": "true" }, "-0:00");
    this.bar = el("input", { type: "range", class: "bar", min: 0, max: 0, step: 1, value: 0, "aria-label": this.words.seek });
    this.back = el("button", { type: "button", "aria-label": this.words.back(SKIP_SECONDS), class: "skip" }, icon("back"), el("span", { "aria-hidden": "true" }, String(SKIP_SECONDS)));
    this.forward = el("button", { type: "button", "aria-label": this.words.forward(SKIP_SECONDS), class: "skip" }, icon("forward"), el("span", { "aria-hidden": "true" }, String(SKIP_SECONDS)));
    this.speed = el("select", { class: "speed" });
    for (const rate of SPEEDS) this.speed.append(el("option", { value: rate }, `${rate}×`));
    this.speedText = document.createTextNode(this.words.speed);
    const speedLabel = el("label", {}, this.speedText, this.speed);
    this.muteButton = el("button", { type: "button", "aria-label": this.words.mute, "aria-pressed": "false" }, icon("volume"));
    this.volume = el("input", { type: "range", min: 0, max: 1, step: 0.05, value: 1, "aria-label": this.words.volume });
    const volume = el("span", { class: "volume" }, this.volume);
    this.followButton = el("button", { type: "button", "aria-pressed": "false" }, this.words.follow);
    this.transcriptList = el("ol", { class: "transcript", id: "transcript", hidden: true, "aria-label": this.words.transcript });
    this.transcriptButton = el(
      "button",
      { type: "button", "aria-expanded": "false", "aria-controls": "transcript" },
      this.words.transcript,
    );
    this.download = el("a", { class: "download", download: "" }, this.words.download);
    this.status = el("p", { class: "status", role: "status", "aria-live": "polite" });
    this.sponsorLabel = el("span", { class: "label" }, "Sponsor");
    this.sponsorTime = el("span", { class: "time", "aria-hidden": "true" });
    this.sponsorSkip = el("button", { type: "button", class: "skip-spot", disabled: "" }, "Skip");
    this.sponsorRow = el(
      "div",
      { class: "sponsor", role: "group", "aria-label": "Sponsor message", hidden: "" },
      this.sponsorLabel,
      this.sponsorTime,
      this.sponsorSkip,
    );
    const controls = el(
      "div",
      { class: "controls" },
      this.back,
      this.forward,
      speedLabel,
      this.muteButton,
      volume,
      this.followButton,
      this.transcriptButton,
      this.download,
    );
    this.region = el(
      "section",
      { class: "player", "aria-label": this.words.article },
      audio,
      el("div", { class: "top" }, this.playButton, heading),
      el("div", { class: "seek" }, this.elapsed, this.bar, this.remaining),
      this.sponsorRow,
      controls,
      this.transcriptList,
      this.status,
    );
    this.root.append(this.region);
    this.wire();
    this.updateLabel();
  }

  wire() {
    const audio = this.audio;
    this.playButton.addEventListener("click", () => this.toggle());
    this.back.addEventListener("click", () => this.skip(-SKIP_SECONDS));
    this.forward.addEventListener("click", () => this.skip(SKIP_SECONDS));
    this.bar.addEventListener("input", () => this.seek(Number(this.bar.value)));
    this.speed.addEventListener("change", () => this.setSpeed(Number(this.speed.value)));
    this.volume.addEventListener("input", () => {
      audio.volume = Number(this.volume.value);
      audio.muted = audio.volume === 0;
    });
    this.muteButton.addEventListener("click", () => {
      audio.muted = !audio.muted;
    });
    this.followButton.addEventListener("click", () => this.follow(!this.following));
    this.transcriptButton.addEventListener("click", () => {
      const open = this.transcriptList.hidden;
      this.transcriptList.hidden = !open;
      this.transcriptButton.setAttribute("aria-expanded", String(open));
      if (open) this.scrollTranscript();
    });
    this.transcriptList.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-cue]");
      if (button) this.playFrom(Number(button.dataset.cue));
    });
    audio.addEventListener("play", () => {
      this.showPlaying(true);
      this.wordLoop();
      if (this.inView === false && !this.miniClosed) this.showMini();
      this.lastHeard = audio.currentTime;  // heard time counts from where playing starts
      if (!this.played) {
        this.played = true;
        this.beacon({ event: "play" });
      }
    });
    audio.addEventListener("pause", () => {
      this.showPlaying(false);
      this.keepPosition(true);
    });
    this.sponsorSkip.addEventListener("click", () => this.spot && this.spot.skip());
    audio.addEventListener("ended", () => {
      this.showPlaying(false);
      this.countHeard();
      this.forgetPosition();
      const after = () => {
        this.dispatchEvent(new CustomEvent("audiogen-ended", { bubbles: true, composed: true }));
        if (this.getAttribute("feed")) this.offerNext();
      };
      if (this.sponsor && this.sponsor.placement === "post" && !this.sponsor.played) this.playSpot(after);
      else after();
    });
    audio.addEventListener("timeupdate", () => {
      if (this.sponsor && this.sponsor.placement === "mid" && !this.sponsor.played && this.sponsor.at !== null
          && audio.currentTime >= this.sponsor.at && !audio.seeking) {
        audio.pause();
        this.playSpot(() => this.play());
      }
      this.tick();
      this.countHeard();
      this.keepPosition(false);
    });
    audio.addEventListener("seeking", () => (this.lastHeard = null));
    audio.addEventListener("seeked", () => {
      this.lastHeard = audio.currentTime;
      this.tick();
    });
    audio.addEventListener("loadedmetadata", () => {
      if (Number.isFinite(audio.duration) && audio.duration > 0) this.setDuration(audio.duration);
      if (this.pendingSeek !== null) {
        audio.currentTime = this.pendingSeek;
        this.pendingSeek = null;
      }
      audio.playbackRate = this.rate;
    });
    audio.addEventListener("volumechange", () => {
      this.muteButton.setAttribute("aria-pressed", String(audio.muted));
      this.muteButton.setAttribute("aria-label", audio.muted ? this.words.unmute : this.words.mute);
      this.muteButton.replaceChildren(icon(audio.muted ? "muted" : "volume"));
      if (!audio.muted) this.volume.value = String(audio.volume);
    });
    audio.addEventListener("error", () => {
      if (audio.getAttribute("src")) this.say("The audio could not be loaded.");
    });
    this.region.addEventListener("keydown", (event) => this.key(event));
    // the reader scrolling the page takes over from following along
    this.stopFollowing = (event) => {
      if (!this.following) return;
      if (event.type === "keydown") {
        const keys = ["PageUp", "PageDown", "Home", "End", "ArrowUp", "ArrowDown", " "];
        if (!keys.includes(event.key) || event.composedPath().includes(this)) return;
      }
      this.follow(false);
      this.say("Stopped following along.");
    };
  }

  connectedCallback() {
    this.watchViewport();
    this.onLeave = this.onLeave || (() => this.keepPosition(true));
    window.addEventListener("pagehide", this.onLeave);
    this.rate = this.storedRate();
    this.speed.value = String(this.rate);
    this.following = this.hasAttribute("autoscroll");
    this.followButton.setAttribute("aria-pressed", String(this.following));
    for (const type of ["wheel", "touchmove", "keydown"]) window.addEventListener(type, this.stopFollowing, { passive: true });
    this.adoptPageStyles();
    this.load();
  }

  disconnectedCallback() {
    window.removeEventListener("pagehide", this.onLeave);
    if (this.viewport) this.viewport.disconnect();
    this.viewport = null;
    this.hideMini();
    for (const type of ["wheel", "touchmove", "keydown"]) window.removeEventListener(type, this.stopFollowing);
    if (this.articleClicks) document.removeEventListener("click", this.articleClicks);
    this.articleClicks = null;
    this.audio.pause();
  }

  attributeChangedCallback(name, before, after) {
    if (before === after || !this.isConnected || this.switching) return;
    if (name === "label" || name === "about") this.updateLabel();
    else if (name === "mini" || name === "feed") return;  // read when they are needed
    else this.load();
  }

  // -- data -----------------------------------------------------------------------------

  async load() {
    const src = safeUrl(this.getAttribute("src"));
    this.audio.removeAttribute("src");
    this.resetHeard();
    this.sponsor = undefined;  // asked again on the first press of play
    if (src) this.audio.setAttribute("src", src);  // preload="none": nothing is fetched before play
    if (src && !this.hasAttribute("no-download")) {
      this.download.href = src;
      this.download.hidden = false;
    } else {
      this.download.hidden = true;
    }
    this.cues = [];
    this.meta = {};
    const timings = safeUrl(this.getAttribute("timings"));
    const transcript = safeUrl(this.getAttribute("transcript"));
    try {
      let read = false;
      if (timings) {
        try {
          const response = await fetch(timings, { credentials: "same-origin" });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          this.meta = await response.json();
          this.cues = fromTimings(this.meta);
          if (this.meta.duration_ms) this.setDuration(this.meta.duration_ms / 1000);
          read = true;
        } catch (error) {
          if (!transcript) throw error;  // else the captions serve instead
        }
      }
      if (!read && transcript) {
        const response = await fetch(transcript, { credentials: "same-origin" });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        this.cues = parseVtt(await response.text());
        if (this.cues.length) this.setDuration(this.cues[this.cues.length - 1].end);
      }
    } catch (error) {
      this.say("The transcript could not be loaded; the audio still plays.");
    }
    this.relabel(this.getAttribute("lang") || this.meta.language || document.documentElement.lang);
    this.titleText.textContent = this.getAttribute("track-title") || this.meta.title || this.words.article;
    this.region.setAttribute("aria-label", `${this.words.listen}: ${this.titleText.textContent}`);
    this.updateLabel();
    this.renderTranscript();
    this.markArticle();
    this.current = -1;
    this.tick();
    this.offerResume();
  }

  // -- the next episode of the site's feed, when this one ends --------------------------------

  async offerNext() {
    if (this.nextBox) this.nextBox.remove();
    let items = [];
    try {
      items = await readFeed(safeUrl(this.getAttribute("feed")), 50, null);
    } catch {
      return;  // no feed to go on with: the player stays as it is
    }
    const here = safeUrl(this.getAttribute("src"));
    const at = items.findIndex((item) => item.audio === here);
    const next = items.find((item, i) => i > at && item.audio !== here) || (at < 0 ? items[0] : null);
    if (!next) return;
    const go = () => {
      this.cancelNext();
      this.switchTo(next);
    };
    const play = el("button", { type: "button", class: "next" }, this.words.playNext);
    play.addEventListener("click", go);
    this.nextBox = el("div", { class: "up-next", role: "group", "aria-label": this.words.upNext },
      el("span", {}, `${this.words.upNext}: `), el("strong", {}, next.title), play);
    if (this.hasAttribute("autoplay-next")) {
      let left = 5;
      const count = el("span", { class: "count", role: "status" }, this.words.next(left));
      const cancel = el("button", { type: "button" }, this.words.cancel);
      cancel.addEventListener("click", () => {
        this.cancelNext(false);
        count.textContent = "";
        cancel.remove();
      });
      this.nextBox.append(count, cancel);
      this.countdown = setInterval(() => {
        left -= 1;
        if (left <= 0) go();
        else count.textContent = this.words.next(left);
      }, 1000);
    }
    this.status.before(this.nextBox);
  }

  cancelNext(remove = true) {
    if (this.countdown) clearInterval(this.countdown);
    this.countdown = null;
    if (remove && this.nextBox) {
      this.nextBox.remove();
      this.nextBox = null;
    }
  }

  // Another episode in this player (from a feed or a playlist): its attributes set
  // together and read once, then played (``play``) or left ready.
  switchTo(item, play = true) {
    this.switching = true;
    try {
      this.setAttribute("track-title", item.title);
      for (const name of ["transcript", "timings"]) {
        if (item[name]) this.setAttribute(name, item[name]);
        else this.removeAttribute(name);
      }
      this.setAttribute("src", item.audio);
    } finally {
      this.switching = false;
    }
    this.cancelNext();
    const loading = (this.loading = this.load());
    loading.then(() => {
      if (play && this.loading === loading) this.play();  // (a later switch wins)
    });
    return loading;
  }

  // -- resume where the listener stopped (localStorage; nothing when it is refused) -------

  positionKey() {
    return POSITION_KEY + (this.getAttribute("episode") || safeUrl(this.getAttribute("src")) || "");
  }

  keepPosition(now) {
    const at = this.audio.currentTime || 0;
    if (this.heard < RESUME_AFTER || at < RESUME_AFTER || this.audio.ended) return;
    const moment = Date.now();
    if (!now && this.keptAt && moment - this.keptAt < 500) return;
    this.keptAt = moment;
    try {
      window.localStorage.setItem(this.positionKey(), JSON.stringify({ t: Math.round(at * 10) / 10, at: moment }));
    } catch {
      /* storage refused or full: the place is not kept, nothing else changes */
    }
  }

  forgetPosition() {
    try {
      window.localStorage.removeItem(this.positionKey());
    } catch {
      /* storage refused */
    }
    if (this.resumeButton) this.resumeButton.remove();
  }

  offerResume() {
    if (this.resumeButton) this.resumeButton.remove();
    let kept = null;
    try {
      kept = JSON.parse(window.localStorage.getItem(this.positionKey()) || "null");
    } catch {
      return;  // storage refused (private mode): nothing to offer, no error
    }
    if (!kept || typeof kept.t !== "number" || typeof kept.at !== "number") return;
    const old = Date.now() - kept.at > RESUME_DAYS * 86400000;
    const total = this.duration || 0;
    if (old || kept.t < RESUME_AFTER || (total && kept.t > total - 5)) {
      this.forgetPosition();
      return;
    }
    this.resumeButton = el("button", { type: "button", class: "resume" }, this.words.resume(clock(kept.t)));
    this.resumeButton.addEventListener("click", () => {
      this.resumeButton.remove();
      this.seek(kept.t);
      this.play();
    });
    this.status.before(this.resumeButton);
  }

  // -- seen on the page, and the mini-player when the playing player scrolls away ---------

  watchViewport() {
    if (this.viewport || !("IntersectionObserver" in window)) return;
    this.viewport = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        this.inView = entry.isIntersecting;
        if (entry.intersectionRatio >= 0.5 && !this.loadSent) {
          this.loadSent = this.beacon({ event: "load" });  // shown: counted once per page view
        }
        if (this.inView) this.hideMini();
        else if (!this.audio.paused && !this.miniClosed) this.showMini();
      }
    }, { threshold: [0, 0.5] });
    this.viewport.observe(this);
  }

  showMini() {
    const place = (this.getAttribute("mini") || "bottom").toLowerCase();
    if (place === "off" || this.mini) return;
    const host = document.createElement("audiogen-mini");
    const root = host.attachShadow({ mode: "open" });
    root.adoptedStyleSheets = [miniSheet = miniSheet || stylesheet(MINI_CSS)];
    const toggle = el("button", { type: "button", class: "toggle" });
    const title = el("span", { class: "title" }, this.titleText.textContent);
    const progress = el("progress", { max: 1, value: 0, "aria-label": this.words.seek });
    const close = el("button", { type: "button", class: "close", "aria-label": this.words.close }, "×");
    const bar = el("div", { class: `mini ${place === "top" ? "top" : "bottom"}`, role: "region", "aria-label": this.words.nowPlaying }, toggle, title, progress, close);
    root.append(bar);
    const update = () => {
      const paused = this.audio.paused;
      toggle.replaceChildren(icon(paused ? "play" : "pause"));
      toggle.setAttribute("aria-label", paused ? this.words.play : this.words.pause);
      const total = this.duration || this.audio.duration || 0;
      progress.value = total ? Math.min(1, (this.audio.currentTime || 0) / total) : 0;
      progress.setAttribute("aria-valuetext", `${spokenTime(this.audio.currentTime || 0)} of ${spokenTime(total)}`);
    };
    toggle.addEventListener("click", () => this.toggle());
    close.addEventListener("click", () => {
      this.miniClosed = true;
      this.hideMini();
    });
    for (const type of ["play", "pause", "timeupdate"]) this.audio.addEventListener(type, update);
    this.miniUpdate = update;
    update();
    document.body.append(host);  // after the page's own content: its focus order stays first
    this.mini = host;
  }

  hideMini() {
    if (!this.mini) return;
    for (const type of ["play", "pause", "timeupdate"]) this.audio.removeEventListener(type, this.miniUpdate);
    this.mini.remove();
    this.mini = null;
  }

  // The controls' words in ``language`` (see WORDS).
  relabel(language) {
    const words = wordsFor(language);
    if (words === this.words) return;
    this.words = words;
    this.playButton.setAttribute("aria-label", this.audio.paused ? words.play : words.pause);
    this.bar.setAttribute("aria-label", words.seek);
    this.back.setAttribute("aria-label", words.back(SKIP_SECONDS));
    this.forward.setAttribute("aria-label", words.forward(SKIP_SECONDS));
    this.speedText.textContent = words.speed;
    this.muteButton.setAttribute("aria-label", this.audio.muted ? words.unmute : words.mute);
    this.volume.setAttribute("aria-label", words.volume);
    this.followButton.textContent = words.follow;
    this.transcriptList.setAttribute("aria-label", words.transcript);
    this.transcriptButton.textContent = words.transcript;
    this.download.textContent = words.download;
    this.region.setAttribute("aria-label", words.article);
  }

  updateLabel() {
    // The label can be reworded, never removed: an empty one falls back to the default.
    const label = squash(this.getAttribute("label") || "") || this.words.label;
    this.badge.textContent = label;
    const engine = [this.meta.engine, this.meta.voice].filter(Boolean).join(" ");
    const notice = this.meta.ai_notice ? ` ${this.meta.ai_notice}` : "";
    const explanation = this.words.explain(engine ? ` (${engine})` : "") + notice;
    this.explanation.replaceChildren(explanation);
    const about = safeUrl(this.getAttribute("about"));
    if (about) {
      this.explanation.append(" ", el("a", { href: about }, this.words.more));
    }
    this.audio.setAttribute("aria-description", `${label}. ${explanation}`);
    this.region.setAttribute("aria-description", label);
  }

  renderTranscript() {
    const items = this.cues.map((cue, index) => {
      // with word timings, each word its own span (the word being said is marked)
      const words = cue.words.length ? wordSpans(cue.text, cue.words) : null;
      const button = el(
        "button",
        { type: "button", "data-cue": index, class: cue.kind === "heading" || cue.kind === "title" ? "heading-cue" : null },
        ...(words || [cue.text]),
      );
      return el("li", {}, button);
    });
    this.transcriptList.replaceChildren(...items);
    this.transcriptButtons = items.map((item) => item.firstChild);
    this.transcriptButton.hidden = items.length === 0;
    this.followButton.hidden = items.length === 0;
  }

  // The article on the page: paragraphs marked with data-audiogen-segment (and sentences
  // with data-audiogen-sentence="SEGMENT.INDEX"), or else the sentences found by their text.
  markArticle() {
    let container = document.body;
    try {
      container = document.querySelector(this.getAttribute("article") || "body") || document.body;
    } catch {
      this.say("The article attribute is not a CSS selector; following along in the whole page.");
    }
    this.article = container;
    this.pageMarks = this.cues.map(() => null);
    this.textRanges = this.cues.map(() => null);
    if (!container || !this.cues.length) return;
    const marked = container.querySelectorAll("[data-audiogen-segment]");
    if (marked.length) {
      const segments = new Map();
      for (const node of marked) segments.set(node.getAttribute("data-audiogen-segment"), node);
      const sentences = new Map();
      for (const node of container.querySelectorAll("[data-audiogen-sentence]")) sentences.set(node.getAttribute("data-audiogen-sentence"), node);
      this.cues.forEach((cue, index) => {
        if (cue.segment === null) return;
        const paragraph = segments.get(String(cue.segment)) || null;
        const sentence = sentences.get(`${cue.segment}.${cue.sentence}`) || null;
        this.pageMarks[index] = { paragraph, sentence };
      });
    } else if (typeof CSS !== "undefined" && CSS.highlights && typeof Highlight !== "undefined") {
      this.findByText(container);
    }
    if (!this.articleClicks) {
      this.articleClicks = (event) => this.articleClicked(event);
      document.addEventListener("click", this.articleClicks);
    }
  }

  findByText(container) {
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => {
        const parent = node.parentElement;
        if (!parent || parent.closest("script, style, noscript, audiogen-player, template")) return NodeFilter.FILTER_REJECT;
        return NodeFilter.FILTER_ACCEPT;
      },
    });
    // the page's text with runs of spaces squashed, and where each character came from
    let flat = "";
    const origin = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.data;
      for (let i = 0; i < text.length; i++) {
        const space = /\s/.test(text[i]);
        if (space && (flat.endsWith(" ") || flat === "")) continue;
        flat += space ? " " : text[i];
        origin.push([node, i]);
      }
    }
    let from = 0;
    this.cues.forEach((cue, index) => {
      const wanted = squash(cue.text);
      if (wanted.length < 2) return;
      const at = flat.indexOf(wanted, from);
      if (at < 0) return;
      const start = origin[at];
      const end = origin[at + wanted.length - 1];
      const range = document.createRange();
      range.setStart(start[0], start[1]);
      range.setEnd(end[0], end[1] + 1);
      this.textRanges[index] = range;
      from = at + wanted.length;
    });
  }

  articleClicked(event) {
    if (event.defaultPrevented || event.composedPath().includes(this)) return;
    if (event.target.closest && event.target.closest("a, button, input, select, textarea, label")) return;
    const sentence = event.target.closest && event.target.closest("[data-audiogen-sentence]");
    const paragraph = event.target.closest && event.target.closest("[data-audiogen-segment]");
    let index = -1;
    if (sentence) index = this.pageMarks.findIndex((mark) => mark && mark.sentence === sentence);
    if (index < 0 && paragraph) index = this.pageMarks.findIndex((mark) => mark && mark.paragraph === paragraph);
    if (index < 0 && !paragraph && this.textRanges.some(Boolean) && document.caretRangeFromPoint) {
      const caret = document.caretRangeFromPoint(event.clientX, event.clientY);
      if (caret) index = this.textRanges.findIndex((range) => range && range.isPointInRange(caret.startContainer, caret.startOffset));
    }
    if (index >= 0) this.playFrom(index);
  }

  adoptPageStyles() {
    if (pageSheetAdopted) return;
    pageSheetAdopted = true;
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, stylesheet(PAGE_CSS)];
  }

  // -- playing -------------------------------------------------------------------------

  get rate() {
    return this._rate || 1;
  }

  set rate(value) {
    this._rate = value;
  }

  storedRate() {
    try {
      const stored = Number(window.localStorage.getItem(SPEED_KEY));
      return SPEEDS.includes(stored) ? stored : 1;
    } catch {
      return 1;  // storage blocked: the speed is not remembered, nothing else changes
    }
  }

  setSpeed(rate) {
    if (!SPEEDS.includes(rate)) return;
    this.rate = rate;
    this.audio.playbackRate = rate;
    this.speed.value = String(rate);
    try {
      window.localStorage.setItem(SPEED_KEY, String(rate));
    } catch {
      /* storage blocked */
    }
  }

  // -- listening figures (only with the stats and episode attributes) -------------------

  resetHeard() {
    this.played = false;
    this.heard = 0;
    this.lastHeard = null;
    this.marksSent = new Set();
  }

  // Seconds actually played (a seek counts nothing), so a quarter "heard" means heard.
  countHeard() {
    const now = this.audio.currentTime;
    // the last stretch is reported after playback stops at the end: it counts too
    if ((!this.audio.paused || this.audio.ended) && this.lastHeard !== null) {
      const step = now - this.lastHeard;
      if (step > 0 && step < 2 * Math.max(1, this.audio.playbackRate)) this.heard += step;
    }
    this.lastHeard = now;
    const total = this.duration || this.audio.duration;
    if (!total || !Number.isFinite(total)) return;
    for (const mark of HEARD_MARKS) {
      // the last few seconds (the closing notice, a fade) are not needed for "all of it"
      const needed = mark === 100 ? 0.95 : mark / 100;
      if (!this.marksSent.has(mark) && this.heard >= needed * total) {
        this.marksSent.add(mark);
        this.beacon({ event: "progress", percent: mark });
      }
    }
  }

  // No cookie, no identifier: the episode, what happened, and the playback speed.
  // Whether it went (figures are on: the stats and episode attributes).
  // -- sponsor spots ------------------------------------------------------------------------

  // What the service says plays with this episode: an uploaded spot, or (with the page's
  // consent) a VAST tag resolved to its audio. Nothing is asked when the page says
  // ads="off", for a subscriber's signed link, or without the service's address; any
  // failure is no spot, at once and silently.
  async findSponsor() {
    const where = safeUrl(this.getAttribute("sponsor"));
    const episode = this.getAttribute("episode");
    const ads = (this.getAttribute("ads") || "").toLowerCase();
    const src = this.audio.getAttribute("src") || "";
    if (!where || !episode || ads === "off" || /[?&]sig=/.test(src)) return null;
    const consent = ads === "on";
    try {
      const url = new URL(where);
      url.searchParams.set("episode", episode);
      url.searchParams.set("consent", consent ? "1" : "0");
      const response = await fetchWithin(url.href, SPONSOR_WAIT_MS);
      if (response.status !== 200) return null;
      const found = await response.json();
      const spot = { campaign: found.campaign, placement: found.placement, skipAfter: found.skip_after || 5,
        maxSeconds: found.max_seconds || 30, trackers: null, played: false, at: null };
      if (found.audio) spot.audio = safeUrl(found.audio);
      else if (found.vast && consent) {
        try {
          Object.assign(spot, await resolveVast(found.vast));
        } catch (failure) {
          fireTrackers(failure.trackers && failure.trackers.error, failure.code || 900);
          this.spotEvent(spot, "error");
          return null;
        }
      }
      return spot.audio ? spot : null;
    } catch {
      return null;
    }
  }

  // The paragraph break nearest the middle of the article (seconds), for a mid-roll.
  midBreak() {
    const middle = (this.duration || 0) / 2;
    let best = null;
    for (let i = 1; i < this.cues.length; i++) {
      const before = this.cues[i - 1];
      const cue = this.cues[i];
      if (before.segment === cue.segment && before.part === cue.part) continue;
      const at = cue.start;
      if (best === null || Math.abs(at - middle) < Math.abs(best - middle)) best = at;
    }
    return best;
  }

  spotEvent(spot, kind) {
    this.beacon({ campaign: spot.campaign, kind });
    if (spot.trackers) fireTrackers(spot.trackers[kind]);
  }

  // Play the spot in an audio element of its own, labelled, skippable after skipAfter
  // seconds; then `done` (the article goes on).
  playSpot(done) {
    const found = this.sponsor;
    if (!found || found.played) {
      done();
      return;
    }
    found.played = true;
    const media = el("audio", { preload: "auto" });
    media.src = found.audio;
    const marks = new Set();
    let started = false;
    let finished = false;
    const finish = (kind) => {
      if (finished) return;
      finished = true;
      if (kind) this.spotEvent(found, kind);
      media.pause();
      media.removeAttribute("src");
      media.remove();
      this.spot = null;
      this.sponsorRow.hidden = true;
      this.sponsorSkip.disabled = true;
      this.showPlaying(false);
      done();
    };
    const limit = Math.max(1, found.maxSeconds);
    media.addEventListener("playing", () => {
      this.showPlaying(true);
      if (started) return;
      started = true;
      this.spotEvent(found, "impression");
      this.spotEvent(found, "start");
      this.say(`A message from a sponsor; you can skip it after ${found.skipAfter} seconds.`);
    });
    media.addEventListener("pause", () => {
      if (!finished) this.showPlaying(false);
    });
    media.addEventListener("timeupdate", () => {
      const length = Math.min(Number.isFinite(media.duration) ? media.duration : limit, limit);
      const at = media.currentTime;
      const wait = Math.ceil(found.skipAfter - at);
      this.sponsorSkip.disabled = wait > 0;
      this.sponsorSkip.textContent = wait > 0 ? `Skip in ${wait}` : "Skip";
      this.sponsorTime.textContent = clock(Math.max(0, length - at));
      for (const [share, kind] of [[0.25, "firstQuartile"], [0.5, "midpoint"], [0.75, "thirdQuartile"]]) {
        if (at >= share * length && !marks.has(kind)) {
          marks.add(kind);
          this.spotEvent(found, kind);
        }
      }
      if (at >= limit) finish("complete");  // the campaign's cap on a spot's length
    });
    media.addEventListener("ended", () => finish("complete"));
    media.addEventListener("error", () => {
      if (found.trackers) fireTrackers(found.trackers.error, 405);
      finish(started ? null : "error");
    });
    this.spot = {
      toggle: () => (media.paused ? media.play().catch(() => finish("error")) : media.pause()),
      skip: () => {
        if (media.currentTime >= found.skipAfter) finish("skip");
      },
    };
    this.region.append(media);
    this.sponsorSkip.disabled = true;
    this.sponsorSkip.textContent = `Skip in ${found.skipAfter}`;
    this.sponsorRow.hidden = false;
    media.playbackRate = 1;
    const playing = media.play();
    if (playing && playing.catch) playing.catch(() => finish(started ? null : "error"));
  }

  beacon(fields) {
    const url = safeUrl(this.getAttribute("stats"));
    const episode = this.getAttribute("episode");
    if (!url || !episode || !navigator.sendBeacon) return false;
    const body = JSON.stringify({ episode, speed: this.audio.playbackRate, ...fields });
    try {
      return navigator.sendBeacon(url, new Blob([body], { type: "text/plain" }));
    } catch {
      return false;  // a blocked beacon changes nothing for the listener
    }
  }

  toggle() {
    if (this.spot) this.spot.toggle();
    else if (this.audio.paused) this.play();
    else this.audio.pause();
  }

  play() {
    if (!this.audio.getAttribute("src")) return;
    if (this.sponsor === undefined) {
      // the first press: ask (once, briefly) whether a sponsor's spot comes first
      this.sponsor = null;
      this.findSponsor().then((found) => {
        this.sponsor = found;
        if (found && found.placement === "mid") found.at = this.midBreak();
        if (found && found.placement === "pre") this.playSpot(() => this.play());
        else this.play();
      });
      return;
    }
    if (this.spot) return;
    this.audio.playbackRate = this.rate;
    this.mediaSession();
    const started = this.audio.play();
    if (started && started.catch) started.catch((error) => {
      if (error && error.name !== "AbortError") this.say("Playback did not start; press play again.");
    });
  }

  playFrom(index) {
    const cue = this.cues[index];
    if (!cue) return;
    this.seek(cue.start + 0.001);
    this.play();
  }

  seek(seconds) {
    const end = this.duration || this.audio.duration || 0;
    const target = Math.max(0, Math.min(seconds, end || seconds));
    if (this.audio.readyState >= 1) this.audio.currentTime = target;
    else this.pendingSeek = target;
    this.tick(target);
  }

  skip(seconds) {
    this.seek(this.position() + seconds);
  }

  position() {
    return this.pendingSeek !== null ? this.pendingSeek : this.audio.currentTime || 0;
  }

  setDuration(seconds) {
    this.duration = seconds;
    this.bar.max = String(Math.max(1, Math.ceil(seconds)));
    this.tick();
  }

  showPlaying(playing) {
    this.playButton.replaceChildren(icon(playing ? "pause" : "play"));
    this.playButton.setAttribute("aria-label", playing ? this.words.pause : this.words.play);
    if ("mediaSession" in navigator) navigator.mediaSession.playbackState = playing ? "playing" : "paused";
  }

  tick(at) {
    const now = at === undefined ? this.position() : at;
    const total = this.duration || 0;
    this.bar.value = String(Math.floor(now));
    this.elapsed.textContent = clock(now);
    this.remaining.textContent = `-${clock(Math.max(total - now, 0))}`;
    this.bar.setAttribute("aria-valuetext", `${spokenTime(now)} of ${spokenTime(total)}`);
    const cue = this.cueAt(now);
    this.highlight(cue);
    if (this.following || !this.transcriptList.hidden) this.highlightWord(cue, now);
    else this.highlightWord(-1, now);
  }

  // the sentence being spoken: the last one begun (during a pause, the one just said)
  cueAt(seconds) {
    if (!this.cues.length) return -1;
    let low = 0;
    let high = this.cues.length - 1;
    if (seconds < this.cues[0].start) return 0;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.cues[middle].start <= seconds) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  // Words change faster than "timeupdate" (four times a second): while playing, the word
  // is looked up at every frame the browser draws.
  wordLoop() {
    if (this.wordFrame || !this.cues.some((cue) => cue.words.length)) return;
    const step = () => {
      if (this.audio.paused || !this.isConnected) {
        this.wordFrame = null;
        return;
      }
      const now = this.audio.currentTime;
      if (this.following || !this.transcriptList.hidden) this.highlightWord(this.cueAt(now), now);
      this.wordFrame = requestAnimationFrame(step);
    };
    this.wordFrame = requestAnimationFrame(step);
  }

  // The word being said inside the sentence being said: in the transcript and, where the
  // sentence is found on the page, in the article (a CSS highlight: the page is not changed).
  highlightWord(index, seconds) {
    const cue = this.cues[index];
    let word = -1;
    if (cue && cue.words.length && seconds >= cue.words[0].start) {
      word = cue.words.findIndex((w, i) => seconds < (cue.words[i + 1] ? cue.words[i + 1].start : cue.end + 0.3));
    }
    if (index === this.wordCue && word === this.word) return;
    const button = this.transcriptButtons && this.transcriptButtons[this.wordCue];
    const old = button && button.querySelector(".word-now");
    if (old) old.classList.remove("word-now");
    this.wordCue = index;
    this.word = word;
    if (word < 0) {
      if (typeof CSS !== "undefined" && CSS.highlights) CSS.highlights.delete("audiogen-word");
      return;
    }
    const span = this.transcriptButtons && this.transcriptButtons[index] && this.transcriptButtons[index].querySelector(`[data-word="${word}"]`);
    if (span) span.classList.add("word-now");
    if (typeof CSS !== "undefined" && CSS.highlights && typeof Highlight !== "undefined") {
      const range = this.wordRange(index, word);
      if (range) CSS.highlights.set("audiogen-word", new Highlight(range));
      else CSS.highlights.delete("audiogen-word");
    }
  }

  // The word's place on the page: found in order within the sentence's text there.
  wordRange(index, word) {
    const mark = this.pageMarks[index];
    const scope = this.textRanges[index] || (mark && (mark.sentence || mark.paragraph));
    if (!scope) return null;
    const within = scope instanceof Range ? scope : (() => { const r = document.createRange(); r.selectNodeContents(scope); return r; })();
    const walker = document.createTreeWalker(within.commonAncestorContainer.nodeType === 3 ? within.commonAncestorContainer.parentNode : within.commonAncestorContainer, NodeFilter.SHOW_TEXT);
    const texts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (within.intersectsNode(node)) texts.push(node);
    }
    const words = this.cues[index].words;
    let at = 0;
    let position = texts.length && texts[0] === within.startContainer ? within.startOffset : 0;
    for (let i = 0; i <= word && at < texts.length; i += 1) {
      const wanted = squash(words[i].text).replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
      if (!wanted) continue;
      let found = -1;
      while (at < texts.length) {
        found = texts[at].data.indexOf(wanted, position);
        if (found >= 0) break;
        at += 1;
        position = 0;
      }
      if (found < 0) return null;
      if (i === word) {
        const range = document.createRange();
        range.setStart(texts[at], found);
        range.setEnd(texts[at], found + wanted.length);
        return range;
      }
      position = found + wanted.length;
    }
    return null;
  }

  highlight(index) {
    if (index === this.current) return;
    const before = this.current;
    this.current = index;
    const old = this.transcriptButtons && this.transcriptButtons[before];
    if (old) old.removeAttribute("aria-current");
    const now = this.transcriptButtons && this.transcriptButtons[index];
    if (now) now.setAttribute("aria-current", "true");
    for (const mark of document.querySelectorAll("[data-audiogen-current]")) mark.removeAttribute("data-audiogen-current");
    const mark = this.pageMarks[index];
    if (mark) {
      if (mark.paragraph) mark.paragraph.setAttribute("data-audiogen-current", "paragraph");
      if (mark.sentence) mark.sentence.setAttribute("data-audiogen-current", "sentence");
    }
    const range = this.textRanges[index];
    if (typeof CSS !== "undefined" && CSS.highlights) {
      if (range) CSS.highlights.set("audiogen-current", new Highlight(range));
      else CSS.highlights.delete("audiogen-current");
    }
    if (this.following) this.scrollToCurrent();
  }

  follow(on) {
    this.following = on;
    this.followButton.setAttribute("aria-pressed", String(on));
    if (on) this.scrollToCurrent();
  }

  scrollBehavior() {
    return window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";
  }

  scrollToCurrent() {
    this.scrollTranscript();
    const mark = this.pageMarks[this.current];
    const target = (mark && (mark.sentence || mark.paragraph)) || null;
    const range = this.textRanges[this.current];
    const behavior = this.scrollBehavior();
    if (target) target.scrollIntoView({ block: "center", behavior });
    else if (range) {
      const box = range.getBoundingClientRect();
      window.scrollBy({ top: box.top - window.innerHeight / 2, behavior });
    }
  }

  scrollTranscript() {
    const button = this.transcriptButtons && this.transcriptButtons[this.current];
    if (!button || this.transcriptList.hidden) return;
    const list = this.transcriptList;
    const top = button.offsetTop - list.offsetTop - list.clientHeight / 2 + button.clientHeight / 2;
    list.scrollTo({ top, behavior: this.scrollBehavior() });
  }

  key(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.composedPath()[0];
    const tag = target && target.tagName;
    const onRange = tag === "INPUT";
    const onButton = tag === "BUTTON" || tag === "SUMMARY" || tag === "A";
    const onSelect = tag === "SELECT";
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    let handled = true;
    if ((key === " " && !onButton && !onSelect) || (key === "k" && !onSelect)) this.toggle();
    else if (key === "j" && !onSelect) this.skip(-SKIP_SECONDS);
    else if (key === "l" && !onSelect) this.skip(SKIP_SECONDS);
    else if (key === "ArrowLeft" && !onRange && !onSelect) this.skip(-ARROW_SECONDS);
    else if (key === "ArrowRight" && !onRange && !onSelect) this.skip(ARROW_SECONDS);
    else if (key === "ArrowUp" && !onRange && !onSelect) this.nudgeVolume(0.1);
    else if (key === "ArrowDown" && !onRange && !onSelect) this.nudgeVolume(-0.1);
    else if (key === "Home" && !onRange) this.seek(0);
    else if (key === "End" && !onRange) this.seek(this.duration);
    else if (key === "m" && !onSelect) this.audio.muted = !this.audio.muted;
    else handled = false;
    if (handled) event.preventDefault();
  }

  nudgeVolume(step) {
    this.audio.muted = false;
    this.audio.volume = Math.min(1, Math.max(0, Math.round((this.audio.volume + step) * 100) / 100));
    this.volume.value = String(this.audio.volume);
  }

  mediaSession() {
    if (!("mediaSession" in navigator) || typeof MediaMetadata === "undefined") return;
    // the article's own image only when it is the page's: the player asks no other site for anything
    const image = safeUrl(this.meta.image);
    const artwork = safeUrl(this.getAttribute("artwork")) || (image && new URL(image).origin === location.origin ? image : null);
    try {
      navigator.mediaSession.metadata = new MediaMetadata({
        title: this.titleText.textContent,
        artist: this.meta.author || "",
        album: this.meta.site_name || squash(this.getAttribute("label") || "") || this.words.label,
        artwork: artwork ? [{ src: artwork }] : [],
      });
      const handlers = {
        play: () => this.play(),
        pause: () => this.audio.pause(),
        seekbackward: (details) => this.skip(-(details.seekOffset || SKIP_SECONDS)),
        seekforward: (details) => this.skip(details.seekOffset || SKIP_SECONDS),
        seekto: (details) => this.seek(details.seekTime),
      };
      for (const [action, handler] of Object.entries(handlers)) navigator.mediaSession.setActionHandler(action, handler);
    } catch {
      /* an action the browser does not know */
    }
  }

  say(message) {
    this.status.textContent = message;
  }
}

const ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd";
const PODCAST_NS = "https://podcastindex.org/namespace/1.0";

// A podcast feed's episodes, newest first as the feed lists them: at most ``max`` (of a
// ``section`` when given: the items' <category>). An error when it is not a feed.
async function readFeed(url, max, section) {
  if (!url) throw new Error("noFeed");
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error("noFeed");
  const doc = new DOMParser().parseFromString(await response.text(), "application/xml");
  const channel = doc.querySelector("rss > channel");
  if (doc.querySelector("parsererror") || !channel) throw new Error("notFeed");
  const items = [];
  for (const item of channel.getElementsByTagName("item")) {
    const categories = [...item.getElementsByTagName("category")].map((c) => squash(c.textContent || ""));
    if (section && !categories.includes(section)) continue;
    const enclosure = item.getElementsByTagName("enclosure")[0];
    const audio = safeUrl(enclosure && new URL(enclosure.getAttribute("url") || "", url).href);
    if (!audio) continue;
    const transcript = [...item.getElementsByTagNameNS(PODCAST_NS, "transcript")].find((t) => (t.getAttribute("type") || "").includes("vtt"));
    items.push({
      title: squash(item.getElementsByTagName("title")[0]?.textContent || "") || "Untitled",
      audio,
      // audiogen writes the timings beside the audio; the captions serve when there are none
      timings: audio.replace(/\.[a-z0-9]+$/i, ".json"),
      transcript: transcript ? safeUrl(new URL(transcript.getAttribute("url") || "", url).href) : null,
      duration: seconds(item.getElementsByTagNameNS(ITUNES_NS, "duration")[0]?.textContent || ""),
      date: item.getElementsByTagName("pubDate")[0]?.textContent || "",
      section: categories[0] || "",
    });
    if (items.length >= max) break;
  }
  return items;
}

// The episodes of a list of audiogen timings files (their own titles, audio and dates).
async function readEpisodes(list, max) {
  const items = [];
  for (const entry of list.split(/\s+/).filter(Boolean).slice(0, max)) {
    const url = safeUrl(entry);
    if (!url) continue;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const data = await response.json();
      const audio = safeUrl(new URL(String(data.audio || ""), url).href);
      if (!audio) continue;
      items.push({ title: squash(String(data.title || "")) || "Untitled", audio, timings: url, transcript: null,
        duration: (Number(data.duration_ms) || 0) / 1000, date: String(data.published || ""), section: "" });
    } catch {
      /* an episode that cannot be read is left out of the list */
    }
  }
  return items;
}

function seconds(text) {
  const parts = String(text).trim().split(":").map(Number);
  if (!parts.length || parts.some((p) => !Number.isFinite(p))) return 0;
  return parts.reduce((total, part) => total * 60 + part, 0);
}

const PLAYLIST_CSS = `
:host { all: initial; display: block; }
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.playlist {
  --bg: #ffffff; --fg: #1a1a1a; --muted: #4a4a4a; --line: #8a8a8a; --accent: #1d4ed8;
  --current-bg: #dbeafe; --current-fg: #10223f; --focus: #b45309;
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif; color: var(--fg);
}
@media (prefers-color-scheme: dark) {
  .playlist { --bg: #111827; --fg: #f3f4f6; --muted: #d1d5db; --line: #6b7280; --accent: #93c5fd;
    --current-bg: #1e3a8a; --current-fg: #ffffff; --focus: #fbbf24; }
}
h2 { font-size: 18px; margin: 12px 0 6px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.badge { font-size: 13px; font-weight: 600; padding: 1px 8px; border-radius: 999px; border: 1px solid var(--line); }
.next-up { color: var(--muted); margin: 6px 0; }
ol { list-style: none; margin: 0; padding: 0; border-top: 1px solid var(--line); }
li { display: flex; align-items: center; gap: 6px; padding: 4px 0; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
li[aria-current="true"] { background: var(--current-bg); color: var(--current-fg); }
button { font: inherit; color: inherit; min-width: 40px; min-height: 40px; border-radius: 8px; cursor: pointer;
  background: transparent; border: 1px solid var(--line); padding: 4px 10px; }
button.item { flex: 1; text-align: left; border: none; min-width: 0; }
.meta { color: var(--muted); font-size: 14px; }
li[aria-current="true"] .meta { color: inherit; }
.problem { color: #a11d1d; font-size: 14px; }
@media (prefers-color-scheme: dark) { .problem { color: #ff9b9b; } }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
`;
let playlistSheet = null;

// <audiogen-playlist src="feed.xml" max="20" section="Sports">: a site's episodes, played
// one after another (or episodes="a.json b.json": audiogen's timings files).
class AudiogenPlaylist extends HTMLElement {
  static get observedAttributes() {
    return ["src", "episodes", "max", "section", "lang"];
  }

  constructor() {
    super();
    this.root = this.attachShadow({ mode: "open" });
    this.root.adoptedStyleSheets = [playlistSheet = playlistSheet || stylesheet(PLAYLIST_CSS)];
    this.items = [];
    this.current = -1;
    this.words = wordsFor(this.getAttribute("lang") || document.documentElement.lang);
    this.player = document.createElement("audiogen-player");
    this.heading = el("h2", {});
    this.upNextText = el("span", {});
    this.skipButton = el("button", { type: "button", class: "skip-next", hidden: true });
    this.upNext = el("p", { class: "next-up", "aria-live": "polite" }, this.upNextText, " ", this.skipButton);
    this.list = el("ol", {});
    this.status = el("p", { class: "status", role: "status", "aria-live": "polite" });
    this.root.append(el("section", { class: "playlist" }, this.heading, this.player, this.upNext, this.list, this.status));
    this.player.addEventListener("audiogen-ended", () => this.advance());
    this.skipButton.addEventListener("click", () => this.advance());
    this.list.addEventListener("click", (event) => this.clicked(event));
  }

  connectedCallback() {
    for (const name of ["mini", "stats", "label", "about", "lang"]) {
      if (this.hasAttribute(name)) this.player.setAttribute(name, this.getAttribute(name));
    }
    this.player.audio.addEventListener("error", () => {
      if (this.current >= 0 && this.player.audio.getAttribute("src")) this.failed(this.current);
    });
    this.load();
  }

  attributeChangedCallback(name, before, after) {
    if (before !== after && this.isConnected && ["src", "episodes", "max", "section"].includes(name)) this.load();
  }

  async load() {
    this.words = wordsFor(this.getAttribute("lang") || document.documentElement.lang);
    this.heading.replaceChildren(el("span", {}, this.words.playlist), el("span", { class: "badge" }, this.getAttribute("label") || this.words.label));
    const max = Math.max(1, Math.min(200, Number(this.getAttribute("max")) || 20));
    const reading = (this.reading = {});  // a later change of src or section wins
    let items = [];
    let problem = "";
    try {
      if (this.getAttribute("episodes")) items = await readEpisodes(this.getAttribute("episodes"), max);
      else items = await readFeed(safeUrl(this.getAttribute("src")), max, this.getAttribute("section"));
    } catch (error) {
      problem = error && error.message === "notFeed" ? this.words.notFeed : this.words.noFeed;
    }
    if (this.reading !== reading) return;
    this.items = items;
    this.status.textContent = problem;
    this.order = this.items.map((_, i) => i);
    this.failures = new Set();
    this.current = -1;
    if (!this.items.length && !this.status.textContent) this.status.textContent = this.words.empty;
    this.render();
    if (this.items.length) this.cue(this.order[0], false);
  }

  render(focus) {
    const rows = this.order.map((index, position) => {
      const item = this.items[index];
      const meta = [clock(item.duration), item.date ? new Date(item.date).toLocaleDateString(this.getAttribute("lang") || undefined) : ""]
        .filter((part) => part && part !== "Invalid Date").join(" · ");
      const row = el("li", { "data-index": index, "aria-current": index === this.current ? "true" : null },
        el("button", { type: "button", class: "item", "data-play": index },
          el("span", {}, item.title), el("br"), el("span", { class: "meta" }, meta)),
        el("button", { type: "button", "data-up": index, "aria-label": this.words.up(item.title), disabled: position === 0 }, "↑"),
        el("button", { type: "button", "data-down": index, "aria-label": this.words.down(item.title), disabled: position === this.order.length - 1 }, "↓"));
      if (this.failures.has(index)) row.append(el("span", { class: "problem" }, this.words.unplayable));
      return row;
    });
    this.list.replaceChildren(...rows);
    if (focus) {
      const button = this.list.querySelector(focus);
      if (button && !button.disabled) button.focus();
      else if (button) (button.previousElementSibling || button.nextElementSibling).focus();
    }
    const next = this.following();
    this.upNextText.textContent = next >= 0 ? `${this.words.upNext}: ${this.items[next].title}` : "";
    this.skipButton.textContent = this.words.skip;
    this.skipButton.hidden = next < 0 || this.current < 0;
  }

  clicked(event) {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.play !== undefined) this.cue(Number(button.dataset.play), true);
    else if (button.dataset.up !== undefined) this.move(Number(button.dataset.up), -1);
    else if (button.dataset.down !== undefined) this.move(Number(button.dataset.down), 1);
  }

  move(index, step) {
    const at = this.order.indexOf(index);
    const to = at + step;
    if (at < 0 || to < 0 || to >= this.order.length) return;
    [this.order[at], this.order[to]] = [this.order[to], this.order[at]];
    this.render(`button[data-${step < 0 ? "up" : "down"}="${index}"]`);
  }

  following() {
    const at = this.order.indexOf(this.current);
    return this.order.slice(at + 1).find((index) => !this.failures.has(index)) ?? -1;
  }

  cue(index, play) {
    const item = this.items[index];
    if (!item) return;
    this.current = index;
    if (this.hasAttribute("stats")) this.player.setAttribute("episode", item.audio);
    this.player.switchTo(item, play);
    this.render();
  }

  advance() {
    const next = this.following();
    if (next >= 0) this.cue(next, true);
  }

  failed(index) {
    this.failures.add(index);
    this.render();
    const next = this.following();
    if (next >= 0) this.cue(next, true);
  }
}

if (!customElements.get("audiogen-player")) customElements.define("audiogen-player", AudiogenPlayer);
if (!customElements.get("audiogen-playlist")) customElements.define("audiogen-playlist", AudiogenPlaylist);

export { AudiogenPlayer, AudiogenPlaylist };
