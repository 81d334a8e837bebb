/**
 * What out-of-office replies and "stop emailing me" replies say, per language: the subject labels
 * auto-repliers put first (Exchange/Microsoft 365's localised "Automatic reply:", Exchange 2003's
 * "Out of Office AutoReply:", the labels people type into Gmail and Zimbra), the sentences that say
 * the sender is away, the month names dates are written with (every inflected form a date uses:
 * Slavic and Baltic genitives, Latvian and Estonian case endings, Hebrew's ב־ prefix…), which way a
 * two-number date is read, and the sentences that ask us to stop.
 *
 * Phrases are regular-expression sources in lower case, written with plain spaces (compiled to
 * `\s+`), alternations and optional groups only: no nested or adjacent unbounded quantifiers, so
 * every pattern built from them runs in time linear in the text.
 */
export interface ReplyLanguage {
  /** ISO 639-1 code; Brazilian and European Portuguese share "pt", Chinese scripts share "zh". */
  code: string;
  name: string;
  /** Subject labels of automatic replies, matched at the start of the subject. */
  subjects: string[];
  /** Sentences saying the sender is away; they count only with another sign of automation. */
  away: string[];
  /** Sentences saying the message itself is automatic; enough on their own near the top of the body. */
  automatic: string[];
  /** Twelve lists of month-name forms, January first. */
  months: string[][];
  /** How "14/12" or "12.14." is read. ISO and year-first forms are read the same everywhere. */
  numeric: 'day-first' | 'month-first';
  /** Requests to stop mailing (imperatives and "I want to…" forms, never the bare topic). */
  unsubscribe: string[];
}

const m = (...forms: string[]): string[] => forms;

export const REPLY_LANGUAGES: ReplyLanguage[] = [
  {
    code: 'en',
    name: 'English',
    subjects: ['automatic reply', 'auto[- ]?reply', 'auto[- ]?response', 'autoresponse', 'auto\\b', 'out of office autoreply', 'out of (the )?office', 'ooo\\b', 'away from (the )?office', 'on vacation', 'on leave', 'on holiday', 'vacation (reply|response|message|notice)', 'away notice', 'absence notice', 'i am (currently )?(out|away)', "i'm (currently )?(out|away)"],
    away: ['(i am|i\'m|i will be|i\'ll be) (currently )?(out of (the )?office|away|on (annual |parental |maternity |paternity |sick )?leave|on vacation|on holiday|travell?ing|out sick|off work)', 'limited access to (my )?e-?mail', 'will (reply|respond|get back to you) (to your (e-?mail|message) )?(when|upon|on) my return', 'back in the office on'],
    automatic: ['this is an auto(matic|mated)(ally generated)? (reply|response|message)'],
    months: [
      m('january', 'jan'), m('february', 'feb'), m('march', 'mar'), m('april', 'apr'), m('may'), m('june', 'jun'),
      m('july', 'jul'), m('august', 'aug'), m('september', 'sept', 'sep'), m('october', 'oct'), m('november', 'nov'), m('december', 'dec'),
    ],
    numeric: 'day-first',
    unsubscribe: [
      '(please )?unsubscribe me', 'remove me from (your|the|this) ([a-z-]+ )?(list|mailing|database|distribution)', 'please remove (me|my (e-?mail|address))', 'remove my (e-?mail|address)',
      'take me off (your|the|this) ([a-z-]+ )?list', 'opt me out', 'stop (e-?mailing|mailing|contacting|messaging|sending) me', "(do not|don't) (e-?mail|contact|message|write to) me",
      '(i want|i\'d like|i would like|i wish) to (unsubscribe|opt out|be removed)', 'no more e-?mails,? please', "i (don't|do not) (want|wish) to (receive|get) (any more|these|your|further)", 'please stop (e-?mailing|sending|contacting|these e-?mails)',
    ],
  },
  {
    code: 'de',
    name: 'German',
    subjects: ['automatische antwort', 'abwesenheitsnotiz', 'abwesenheitsmeldung', 'abwesenheit', 'abwesend', 'außer haus', 'nicht im büro', 'urlaubsabwesenheit', 'autom\\. antwort', 'im urlaub'],
    away: ['(ich bin|bin ich) (derzeit |zurzeit |aktuell |bis )?[^.\\n]{0,40}(nicht im büro|außer haus|abwesend|im urlaub|nicht erreichbar|in elternzeit)', 'keinen zugriff auf (meine )?e-?mails', '(ab|am) [^.\\n]{0,30}wieder (im büro|erreichbar|für sie da)'],
    automatic: ['(dies ist|das ist|hierbei handelt es sich um) eine automatische (antwort|nachricht|benachrichtigung)'],
    months: [
      m('januar', 'jänner', 'jan'), m('februar', 'feber', 'feb'), m('märz', 'maerz', 'mär', 'mrz'), m('april', 'apr'), m('mai'), m('juni', 'jun'),
      m('juli', 'jul'), m('august', 'aug'), m('september', 'sept', 'sep'), m('oktober', 'okt'), m('november', 'nov'), m('dezember', 'dez'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(nehmen|streichen|entfernen|löschen|tragen) sie mich (bitte )?(aus|von)', 'bitte (aus|von) (ihrem|ihrer|dem|der) (verteiler|liste|mailingliste|e-?mail-?liste|newsletter) (nehmen|streichen|entfernen|löschen)', 'ich möchte (mich )?(keine (weiteren )?(e-?mails|mails|nachrichten)|abmelden|austragen)', 'ich (möchte|will|würde) mich ([^\\s.!?]{1,20} ){0,4}(abmelden|austragen|abmelden lassen)', '(schreiben|senden|schicken) sie mir (bitte )?(keine (e-?mails|mails|nachrichten) mehr|nicht mehr)', 'kontaktieren sie mich (bitte )?nicht mehr', 'bitte keine (weiteren )?(e-?mails|mails|nachrichten)( mehr)?', 'bitte (melden sie mich ab|abmelden|austragen)', 'bitte nicht mehr (anschreiben|kontaktieren|anrufen|schreiben|mailen|anmailen)'],
  },
  {
    code: 'fr',
    name: 'French',
    subjects: ['réponse automatique', 'reponse automatique', 'absence du bureau', 'absent du bureau', "message d'absence", "message d’absence", 'absence', 'absente?\\b', 'en congés?', 'hors du bureau'],
    away: ['je (suis|serai) (actuellement )?(absente?|en congés?|en vacances|hors du bureau|en déplacement)', 'accès limité à (ma|mes) (messagerie|e-?mails|courriels)', 'de retour (le|au bureau)'],
    automatic: ['(ceci est|il s\'agit d\'une|ceci est une) (une )?réponse automatique', 'ce message (est|a été) (généré )?automatique'],
    months: [
      m('janvier', 'janv'), m('février', 'fevrier', 'févr', 'fevr'), m('mars'), m('avril', 'avr'), m('mai'), m('juin'),
      m('juillet', 'juil'), m('août', 'aout'), m('septembre', 'sept'), m('octobre', 'oct'), m('novembre', 'nov'), m('décembre', 'decembre', 'déc'),
    ],
    numeric: 'day-first',
    unsubscribe: ['désinscrivez-moi', 'désabonnez-moi', 'retirez-moi', 'supprimez-moi', '(merci de|veuillez|pouvez-vous|je (souhaite|veux|voudrais)) (me )?(désinscrire|désabonner|retirer|supprimer)', "(merci de )?ne (plus )?m['’](envoyer|écrire|contacter)( plus)?", "ne me (contactez|écrivez|sollicitez) plus", "arrêtez de m['’](envoyer|écrire|contacter)", "n['’]envoyez plus", 'je ne (souhaite|veux) plus recevoir'],
  },
  {
    code: 'es',
    name: 'Spanish',
    subjects: ['respuesta automática', 'respuesta automatica', 'fuera de (la )?oficina', 'ausente', 'ausencia', 'de vacaciones', 'respuesta de ausencia'],
    away: ['(estoy|estaré|me encuentro) (actualmente )?(fuera de (la )?oficina|de vacaciones|ausente|de viaje|de baja)', 'acceso limitado (a|al) (mi )?correo', 'a mi regreso'],
    automatic: ['(este es|esta es|este) (un )?(mensaje|respuesta) (de respuesta )?automátic[oa]'],
    months: [
      m('enero', 'ene'), m('febrero', 'feb'), m('marzo', 'mar'), m('abril', 'abr'), m('mayo'), m('junio', 'jun'),
      m('julio', 'jul'), m('agosto', 'ago'), m('septiembre', 'setiembre', 'sept', 'sep'), m('octubre', 'oct'), m('noviembre', 'nov'), m('diciembre', 'dic'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(darme|denme|dadme|me) de baja', 'quiero (darme de baja|que me (den de baja|eliminen|borren))', '(elimínenme|elimíneme|eliminadme|quítenme|sáquenme|bórrenme)', 'no me (envíe|envíen|escriba|escriban|contacte|contacten|manden)n? más', 'no quiero recibir más', 'por favor,? no me (envíe|escriba|contacte)', 'dejen? de (enviarme|escribirme|contactarme|mandarme)'],
  },
  {
    code: 'it',
    name: 'Italian',
    subjects: ['risposta automatica', 'fuori (sede|ufficio)', 'assente', 'in ferie', 'assenza'],
    away: ['(sono|sarò) (attualmente )?(fuori (sede|ufficio)|assente|in ferie|in vacanza|in trasferta)', 'accesso limitato (alla|alle) (posta|e-?mail)', 'al mio rientro'],
    automatic: ['(questo è|questa è) (un|una) (messaggio|risposta) automatic[oa]'],
    months: [
      m('gennaio', 'genn'), m('febbraio', 'febbr', 'feb'), m('marzo', 'mar'), m('aprile', 'apr'), m('maggio', 'magg'), m('giugno', 'giu'),
      m('luglio', 'lug'), m('agosto', 'ago'), m('settembre', 'sett'), m('ottobre', 'ott'), m('novembre', 'nov'), m('dicembre', 'dic'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(cancellatemi|cancellami|rimuovetemi|rimuovimi|toglietemi)', 'non (contattatemi|scrivetemi|mandatemi|inviatemi|contattarmi|scrivermi)( più)?', '(vorrei|voglio|desidero) (essere (cancellato|cancellata|rimosso|rimossa)|disiscrivermi|cancellarmi)', 'non (mi )?(scrivete|contattate|inviate|mandate) più', 'non voglio più ricevere', 'disiscrivetemi', '(rimuovete|cancellate|eliminate|togliete|rimuovere|cancellare) (il mio indirizzo|la mia (e-?mail|mail)|i miei dati)', 'smettete(la)? di (scrivermi|contattarmi|inviarmi|mandarmi)'],
  },
  {
    code: 'nl',
    name: 'Dutch',
    subjects: ['automatisch antwoord', 'afwezig', 'niet aanwezig', 'buiten kantoor', 'afwezigheidsmelding', 'met vakantie'],
    away: ['(ik ben|ben ik) (momenteel |op dit moment |tot en met |t/m |tot )?[^.\\n]{0,40}(afwezig|niet aanwezig|met vakantie|buiten kantoor|met verlof)', 'beperkt toegang tot (mijn )?e-?mail'],
    automatic: ['dit is een automatisch (antwoord|bericht|gegenereerd bericht)'],
    months: [
      m('januari', 'jan'), m('februari', 'feb'), m('maart', 'mrt'), m('april', 'apr'), m('mei'), m('juni', 'jun'),
      m('juli', 'jul'), m('augustus', 'aug'), m('september', 'sept', 'sep'), m('oktober', 'okt'), m('november', 'nov'), m('december', 'dec'),
    ],
    numeric: 'day-first',
    unsubscribe: ['schrijf (mij|me) uit', '(verwijder|haal) (mij|me) (alstublieft |aub |a\\.u\\.b\\. |graag |even |z\\.s\\.m\\. )?(van|uit)', 'stuur (mij|me) geen (e-?mails|mails|berichten) meer', '(mail|e-?mail|benader) (mij|me) niet meer', 'ik wil (me )?(uitschrijven|afmelden|geen (e-?mails|mails) meer)', 'graag uitschrijven'],
  },
  {
    code: 'pt',
    name: 'Portuguese',
    subjects: ['resposta automática', 'resposta automatica', 'ausente do escritório', 'fora do escritório', 'ausência', 'ausente', 'de férias', 'férias'],
    away: ['(estou|estarei|encontro-me) (atualmente |actualmente )?(ausente|fora do escritório|de férias|em viagem|de licença)', 'acesso limitado (ao|aos) (meu )?e-?mail', 'no meu regresso', 'no meu retorno'],
    automatic: ['(esta é|este é) (uma|um) (resposta|mensagem) automátic[oa]'],
    months: [
      m('janeiro', 'jan'), m('fevereiro', 'fev'), m('março', 'marco', 'mar'), m('abril', 'abr'), m('maio', 'mai'), m('junho', 'jun'),
      m('julho', 'jul'), m('agosto', 'ago'), m('setembro'), m('outubro'), m('novembro', 'nov'), m('dezembro', 'dez'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(descadastre|descadastrem|remova|removam|retire|retirem|tire|tirem|exclua|excluam)-me', 'me (tirar|remover|retirar|excluir|descadastrar) (da|de|do) (sua |vossa |esta |vossa )?(lista|mailing|cadastro|base)', '(quero|gostaria de) (me descadastrar|ser removid[oa]|cancelar (a )?(minha )?inscrição|não receber mais)', 'não (me )?(envie|enviem|mande|mandem|contate|contatem|contacte|contactem|escreva|escrevam) mais', 'não quero (mais )?receber', 'por favor,? (me )?descadastr(e|em)', '(pare|parem|deixe|deixem) de me (enviar|mandar|contatar|contactar|escrever)'],
  },
  {
    code: 'sv',
    name: 'Swedish',
    subjects: ['automatiskt svar', 'frånvaromeddelande', 'ej på kontoret', 'inte på kontoret', 'autosvar', 'frånvaro', 'semester'],
    away: ['(jag är|är jag) (för närvarande |tillbaka )?[^.\\n]{0,40}(inte på kontoret|ledig|på semester|frånvarande|tjänstledig|föräldraledig)', 'begränsad tillgång till (min )?e-?post'],
    automatic: ['detta är ett automatiskt (svar|meddelande)'],
    months: [
      m('januari', 'jan'), m('februari', 'feb'), m('mars', 'mar'), m('april', 'apr'), m('maj'), m('juni', 'jun'),
      m('juli', 'jul'), m('augusti', 'aug'), m('september', 'sept', 'sep'), m('oktober', 'okt'), m('november', 'nov'), m('december', 'dec'),
    ],
    numeric: 'day-first',
    unsubscribe: ['ta bort mig', 'avregistrera mig', 'avsluta min prenumeration', 'sluta (maila|mejla|skicka|kontakta) mig', 'skicka inte (fler|mer) (mejl|mail|e-?post)', 'kontakta mig inte', 'jag vill (inte ha fler (mejl|mail)|avregistrera mig|avsluta prenumerationen)'],
  },
  {
    code: 'da',
    name: 'Danish',
    subjects: ['automatisk svar', 'fraværsmeddelelse', 'ikke på kontoret', 'ude af kontoret', 'autosvar', 'ferie', 'fravær'],
    away: ['(jeg er|er jeg) (på ferie|fraværende|ikke på kontoret|ude af kontoret|på barsel|syg)', 'begrænset adgang til (min )?e-?mail', 'tilbage på kontoret'],
    automatic: ['dette er et automatisk (svar|genereret svar|meddelelse)'],
    months: [
      m('januar', 'jan'), m('februar', 'feb'), m('marts', 'mar'), m('april', 'apr'), m('maj'), m('juni', 'jun'),
      m('juli', 'jul'), m('august', 'aug'), m('september', 'sept', 'sep'), m('oktober', 'okt'), m('november', 'nov'), m('december', 'dec'),
    ],
    numeric: 'day-first',
    unsubscribe: ['fjern mig', 'afmeld mig', 'stop med at (sende|maile|skrive|kontakte)', 'send (mig )?ikke flere (e-?mails|mails)', 'kontakt mig ikke', 'jeg ønsker (ikke at modtage flere|at blive afmeldt)'],
  },
  {
    code: 'no',
    name: 'Norwegian',
    subjects: ['automatisk svar', 'fraværsmelding', 'fravær', 'ikke på kontoret', 'autosvar'],
    away: ['(jeg er|er jeg) (på ferie|borte|ikke på kontoret|fraværende|i permisjon|syk)', 'begrenset tilgang til (min )?e-?post', 'tilbake på kontoret'],
    automatic: ['dette er et automatisk (svar|generert svar)'],
    months: [
      m('januar', 'jan'), m('februar', 'feb'), m('mars', 'mar'), m('april', 'apr'), m('mai'), m('juni', 'jun'),
      m('juli', 'jul'), m('august', 'aug'), m('september', 'sept', 'sep'), m('oktober', 'okt'), m('november', 'nov'), m('desember'),
    ],
    numeric: 'day-first',
    unsubscribe: ['fjern meg', 'meld meg av', 'slutt å (sende|maile|kontakte)', 'ikke send (meg )?flere (e-?poster|e-?mailer|mailer|e-?post)', 'ikke kontakt meg', 'jeg ønsker (ikke å motta flere|å bli fjernet|å melde meg av)'],
  },
  {
    code: 'fi',
    name: 'Finnish',
    subjects: ['automaattinen vastaus', 'poissaoloviesti', 'poissa toimistolta', 'lomalla', 'poissa'],
    away: ['(olen|olen tällä hetkellä) (poissa|lomalla|vuosilomalla|matkoilla|sairauslomalla)', 'rajoitetusti sähköpostin', 'palaan (toimistolle|töihin)'],
    automatic: ['tämä on automaattinen (vastaus|viesti)'],
    months: [
      m('tammikuuta', 'tammikuun', 'tammikuu'), m('helmikuuta', 'helmikuun', 'helmikuu'), m('maaliskuuta', 'maaliskuun', 'maaliskuu'), m('huhtikuuta', 'huhtikuun', 'huhtikuu'),
      m('toukokuuta', 'toukokuun', 'toukokuu'), m('kesäkuuta', 'kesäkuun', 'kesäkuu'), m('heinäkuuta', 'heinäkuun', 'heinäkuu'), m('elokuuta', 'elokuun', 'elokuu'),
      m('syyskuuta', 'syyskuun', 'syyskuu'), m('lokakuuta', 'lokakuun', 'lokakuu'), m('marraskuuta', 'marraskuun', 'marraskuu'), m('joulukuuta', 'joulukuun', 'joulukuu'),
    ],
    numeric: 'day-first',
    unsubscribe: ['poista minut', 'poistakaa minut', 'älkää (enää )?lähettäkö', 'älä (enää )?lähetä', 'lopettakaa (viestien |sähköpostien )?lähettäminen', 'en halua (enää )?(saada|vastaanottaa)', 'peruuttaa tilaukseni'],
  },
  {
    code: 'pl',
    name: 'Polish',
    subjects: ['automatyczna odpowiedź', 'odpowiedź automatyczna', 'poza biurem', 'nieobecność', 'nieobecny', 'urlop'],
    away: ['(jestem|będę) (obecnie )?(poza biurem|nieobecn[ya]|na urlopie|w podróży służbowej|na zwolnieniu)', 'ograniczony dostęp do (poczty|e-?maila)'],
    automatic: ['(to jest|jest to) (automatyczna odpowiedź|wiadomość (wygenerowana )?automatyczn[ae])'],
    months: [
      m('stycznia', 'styczeń', 'sty'), m('lutego', 'luty', 'lut'), m('marca', 'marzec'), m('kwietnia', 'kwiecień', 'kwi'), m('maja', 'maj'), m('czerwca', 'czerwiec', 'cze'),
      m('lipca', 'lipiec', 'lip'), m('sierpnia', 'sierpień'), m('września', 'wrzesień', 'wrz'), m('października', 'październik', 'paź'), m('listopada', 'listopad'), m('grudnia', 'grudzień', 'gru'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(wypisz|wypiszcie|usuń|usuńcie|skreślcie) mnie', 'proszę (mnie )?(wypisać|usunąć)', 'proszę o (usunięcie|wypisanie)', 'nie (wysyłajcie|wysyłaj|przysyłajcie|piszcie) (mi |do mnie )?(więcej|już)', '(proszę )?nie (wysyłać|przysyłać|pisać) (mi|do mnie) (więcej|już)', 'nie chcę (więcej |już )?otrzymywać', 'rezygnuję z (subskrypcji|newslettera|wiadomości)'],
  },
  {
    code: 'cs',
    name: 'Czech',
    subjects: ['automatická odpověď', 'automaticka odpoved', 'nepřítomnost', 'mimo kancelář', 'mimo kancelar', 'dovolená'],
    away: ['(jsem|budu) (momentálně |nyní )?(mimo kancelář|nepřítomn[ýá]|na dovolené|na služební cestě|mimo (kancelář|firmu))', 'omezený přístup k e-?mailu'],
    automatic: ['toto je automatick(á|ý|e) (odpověď|zpráva|odpoved)'],
    months: [
      m('ledna', 'leden'), m('února', 'únor'), m('března', 'březen'), m('dubna', 'duben'), m('května', 'květen'), m('června', 'červen'),
      m('července', 'červenec'), m('srpna', 'srpen'), m('září'), m('října', 'říjen'), m('listopadu', 'listopad'), m('prosince', 'prosinec'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(odhlaste|vyřaďte|odstraňte|smažte) mě', 'prosím (o odhlášení|o vyřazení|odhlásit)', '(už mi |mi už )?nepište (mi )?(už|více)', '(už mi |mi už )?neposílejte', 'nechci (už )?dostávat'],
  },
  {
    code: 'sk',
    name: 'Slovak',
    subjects: ['automatická odpoveď', 'automaticka odpoved', 'neprítomnosť', 'mimo kancelárie', 'dovolenka'],
    away: ['(som|budem) (momentálne |teraz )?(mimo kancelárie|neprítomn[ýá]|na dovolenke|na služobnej ceste)', 'obmedzený prístup k e-?mailu'],
    automatic: ['toto je automatick(á|ý) (odpoveď|správa)'],
    months: [
      m('januára', 'január'), m('februára', 'február'), m('marca', 'marec'), m('apríla', 'apríl'), m('mája', 'máj'), m('júna', 'jún'),
      m('júla', 'júl'), m('augusta', 'august'), m('septembra', 'september'), m('októbra', 'október'), m('novembra', 'november'), m('decembra', 'december'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(odhláste|vyraďte|odstráňte|vymažte) ma', 'prosím (o odhlásenie|o vyradenie)', '(už mi |mi už )?nepíšte', '(už mi |mi už )?neposielajte', 'nechcem (už )?dostávať'],
  },
  {
    code: 'sl',
    name: 'Slovenian',
    subjects: ['samodejni odgovor', 'odsotnost', 'odsoten', 'odsotna', 'izven pisarne', 'dopust'],
    away: ['(sem|bom) (trenutno )?(odsot(en|na)|na dopustu|izven pisarne|na službeni poti)', 'omejen dostop do (e-?pošte|elektronske pošte)'],
    automatic: ['to je samodejn(i|o) (odgovor|sporočilo)'],
    months: [
      m('januar', 'januarja'), m('februar', 'februarja'), m('marec', 'marca'), m('april', 'aprila'), m('maj', 'maja'), m('junij', 'junija'),
      m('julij', 'julija'), m('avgust', 'avgusta'), m('september', 'septembra'), m('oktober', 'oktobra'), m('november', 'novembra'), m('december', 'decembra'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(odjavite|odstranite|izbrišite) me', 'ne (pošiljajte|pišite) mi več', 'ne želim (več )?prejemati'],
  },
  {
    code: 'hr',
    name: 'Croatian',
    subjects: ['automatski odgovor', 'odsutnost', 'odsutan', 'odsutna', 'izvan ureda', 'godišnji odmor'],
    away: ['(sam|bit ću|ću biti) (trenutno )?(odsut(an|na)|na godišnjem odmoru|izvan ureda|na službenom putu)', 'ograničen pristup (e-?pošti|elektroničkoj pošti)'],
    automatic: ['ovo je automatsk(i|a) (odgovor|poruka)'],
    months: [
      m('siječnja', 'siječanj'), m('veljače', 'veljača'), m('ožujka', 'ožujak'), m('travnja', 'travanj'), m('svibnja', 'svibanj'), m('lipnja', 'lipanj'),
      m('srpnja', 'srpanj'), m('kolovoza', 'kolovoz'), m('rujna', 'rujan'), m('listopada', 'listopad'), m('studenoga', 'studenog', 'studeni'), m('prosinca', 'prosinac'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(odjavite|uklonite|maknite|izbrišite) me', 'ne (šaljite|pišite) mi više', 'više mi ne (šaljite|pišite)', 'ne želim (više )?primati'],
  },
  {
    code: 'hu',
    name: 'Hungarian',
    subjects: ['automatikus válasz', 'automatikus valasz', 'házon kívül', 'irodán kívül', 'szabadság'],
    away: ['(szabadságon|házon kívül|irodán kívül|távol) (vagyok|leszek)', '(vagyok|leszek) (szabadságon|házon kívül|irodán kívül)', 'korlátozottan (férek hozzá|érem el)'],
    automatic: ['ez egy automatikus (válasz|üzenet)'],
    months: [
      m('január', 'jan'), m('február', 'febr', 'feb'), m('március', 'márc'), m('április', 'ápr'), m('május', 'máj'), m('június', 'jún'),
      m('július', 'júl'), m('augusztus', 'aug'), m('szeptember', 'szept'), m('október', 'okt'), m('november', 'nov'), m('december', 'dec'),
    ],
    numeric: 'month-first',
    unsubscribe: ['(töröljenek|töröljön|vegyenek le|vegyen le)', 'iratkoztass(on|anak) le', 'le szeretnék iratkozni', 'ne (küldjön|küldjenek|írjon|írjanak) (nekem )?(több|többet|több e-?mailt)', 'nem kérek több'],
  },
  {
    code: 'ro',
    name: 'Romanian',
    subjects: ['răspuns automat', 'raspuns automat', 'absent', 'în afara biroului', 'in afara biroului', 'concediu'],
    away: ['(sunt|voi fi) (în prezent )?(în concediu|absent[ăa]?|în afara biroului|plecat[ăa]? din birou)', 'acces limitat la (e-?mail|poșta)'],
    automatic: ['acesta este un (răspuns|mesaj) automat'],
    months: [
      m('ianuarie', 'ian'), m('februarie', 'feb'), m('martie', 'mar'), m('aprilie', 'apr'), m('mai'), m('iunie', 'iun'),
      m('iulie', 'iul'), m('august', 'aug'), m('septembrie', 'sept'), m('octombrie', 'oct'), m('noiembrie'), m('decembrie', 'dec'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(dezabonați|ștergeți|eliminați|scoateți|dezabonati|stergeti|eliminati|scoateti)-mă', 'nu(-mi| îmi| imi)? mai (trimiteți|trimiteti|scrieți|scrieti)', 'nu mă mai (contactați|contactati)', 'doresc să mă dezabonez', 'nu mai doresc să primesc'],
  },
  {
    code: 'bg',
    name: 'Bulgarian',
    subjects: ['автоматичен отговор', 'отсъствие', 'извън офиса', 'отпуск'],
    away: ['(съм|ще бъда) (в момента )?(в отпуск|извън офиса|в командировка|отсъстващ[ао]?)', 'ограничен достъп до (имейл|електронната поща)'],
    automatic: ['това е автоматичен (отговор|имейл)', 'това е автоматично (съобщение|генериран)'],
    months: [
      m('януари'), m('февруари'), m('март'), m('април'), m('май'), m('юни'),
      m('юли'), m('август'), m('септември'), m('октомври'), m('ноември'), m('декември'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(отпишете|премахнете|изтрийте|махнете) ме', 'не ми (пишете|изпращайте) (повече|вече)', 'спрете да ми (пишете|изпращате)', 'не желая (повече )?да получавам'],
  },
  {
    code: 'el',
    name: 'Greek',
    subjects: ['αυτόματη απάντηση', 'αυτοματη απαντηση', 'εκτός γραφείου', 'απουσία', 'άδεια'],
    away: ['(είμαι|θα είμαι|βρίσκομαι) (εκτός γραφείου|σε άδεια|σε διακοπές|απών|απούσα)', 'περιορισμένη πρόσβαση στο (ηλεκτρονικό ταχυδρομείο|email)'],
    automatic: ['αυτή είναι μια αυτόματη απάντηση', 'αυτό είναι ένα αυτόματο μήνυμα'],
    months: [
      m('ιανουαρίου', 'ιανουάριος', 'ιαν'), m('φεβρουαρίου', 'φεβρουάριος', 'φεβ'), m('μαρτίου', 'μάρτιος', 'μαρ'), m('απριλίου', 'απρίλιος', 'απρ'), m('μαΐου', 'μαίου', 'μάιος', 'μαΐ'), m('ιουνίου', 'ιούνιος', 'ιουν'),
      m('ιουλίου', 'ιούλιος', 'ιουλ'), m('αυγούστου', 'αύγουστος', 'αυγ'), m('σεπτεμβρίου', 'σεπτέμβριος', 'σεπ'), m('οκτωβρίου', 'οκτώβριος', 'οκτ'), m('νοεμβρίου', 'νοέμβριος', 'νοε'), m('δεκεμβρίου', 'δεκέμβριος', 'δεκ'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(διαγράψτε|αφαιρέστε|βγάλτε) με', 'σταματήστε να μου στέλνετε', 'μη(ν)? μου (στέλνετε|ξαναστείλετε)', 'δεν (επιθυμώ|θέλω) να λαμβάνω'],
  },
  {
    code: 'et',
    name: 'Estonian',
    subjects: ['automaatne vastus', 'eemal', 'puhkusel', 'kontorist väljas'],
    away: ['(olen|viibin) (praegu )?(puhkusel|kontorist eemal|eemal|lähetuses|haiguslehel)', 'piiratud ligipääs (e-?postile|meilile)'],
    automatic: ['see on automaatne (vastus|sõnum)'],
    months: [
      m('jaanuar', 'jaanuarini', 'jaanuaril', 'jaan'), m('veebruar', 'veebruarini', 'veebruaril', 'veebr'), m('märts', 'märtsini', 'märtsil'), m('aprill', 'aprillini', 'aprillil', 'apr'),
      m('mai', 'maini'), m('juuni', 'juunini', 'juunil'), m('juuli', 'juulini', 'juulil'), m('august', 'augustini', 'augustil', 'aug'),
      m('september', 'septembrini', 'septembril', 'sept'), m('oktoober', 'oktoobrini', 'oktoobril', 'okt'), m('november', 'novembrini', 'novembril', 'nov'), m('detsember', 'detsembrini', 'detsembril', 'dets'),
    ],
    numeric: 'day-first',
    unsubscribe: ['eemaldage mind', 'ärge (enam )?saatke mulle', 'ma ei soovi (enam )?(saada|kirju)', 'palun lõpetage (kirjade )?saatmine'],
  },
  {
    code: 'lv',
    name: 'Latvian',
    subjects: ['automātiskā atbilde', 'automatiska atbilde', 'prombūtnē', 'atvaļinājumā', 'ārpus biroja'],
    away: ['(esmu|būšu) (pašlaik )?(atvaļinājumā|prombūtnē|ārpus biroja|komandējumā)', 'ierobežota piekļuve (e-?pastam|e-pastam)'],
    automatic: ['šī ir automātiska (atbilde|ziņa)'],
    months: [
      m('janvāris', 'janvārī', 'janvārim', 'janvāra'), m('februāris', 'februārī', 'februārim', 'februāra'), m('marts', 'martā', 'martam', 'marta'), m('aprīlis', 'aprīlī', 'aprīlim', 'aprīļa'),
      m('maijs', 'maijā', 'maijam', 'maija'), m('jūnijs', 'jūnijā', 'jūnijam', 'jūnija'), m('jūlijs', 'jūlijā', 'jūlijam', 'jūlija'), m('augusts', 'augustā', 'augustam', 'augusta'),
      m('septembris', 'septembrī', 'septembrim', 'septembra'), m('oktobris', 'oktobrī', 'oktobrim', 'oktobra'), m('novembris', 'novembrī', 'novembrim', 'novembra'), m('decembris', 'decembrī', 'decembrim', 'decembra'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(izņemiet|dzēsiet|noņemiet|atrakstiet) mani', 'lūdzu, (izņemiet|dzēsiet|atrakstiet) mani', 'nesūtiet man (vairs|vairāk)', 'vairs nesūtiet', 'nevēlos (vairs )?saņemt'],
  },
  {
    code: 'lt',
    name: 'Lithuanian',
    subjects: ['automatinis atsakymas', 'nesu biure', 'atostogos', 'išvykęs', 'išvykusi'],
    away: ['(esu|būsiu) (šiuo metu )?(atostogose|išvykęs|išvykusi|ne biure|komandiruotėje)', 'ribota prieiga prie (el\\. pašto|pašto)'],
    automatic: ['tai (yra )?automatinis (atsakymas|pranešimas)'],
    months: [
      m('sausio', 'sausis'), m('vasario', 'vasaris'), m('kovo', 'kovas'), m('balandžio', 'balandis'), m('gegužės', 'gegužė'), m('birželio', 'birželis'),
      m('liepos', 'liepa'), m('rugpjūčio', 'rugpjūtis'), m('rugsėjo', 'rugsėjis'), m('spalio', 'spalis'), m('lapkričio', 'lapkritis'), m('gruodžio', 'gruodis'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(išbraukite|pašalinkite|ištrinkite) mane', '(ne|nebe)siųskite (man )?(daugiau|laiškų)', 'nebesiųskite', 'nenoriu (daugiau )?gauti', 'atsisakau (prenumeratos|naujienlaiškio)'],
  },
  {
    code: 'ga',
    name: 'Irish',
    subjects: ['freagra uathoibríoch', 'freagra uathoibrioch', 'as an oifig', 'ar saoire'],
    away: ['(tá mé|táim|beidh mé) (as an oifig|ar saoire|ar shiúl|ar láthair)', 'rochtain theoranta ar (mo )?ríomhphost'],
    automatic: ['is freagra uathoibríoch é seo', 'freagra uathoibríoch é seo'],
    months: [
      m('eanáir', 'eanair'), m('feabhra'), m('márta', 'marta'), m('aibreán', 'aibrean'), m('bealtaine'), m('meitheamh'),
      m('iúil', 'iuil'), m('lúnasa', 'lunasa'), m('meán fómhair', 'mean fomhair'), m('deireadh fómhair', 'deireadh fomhair'), m('samhain', 'mí na samhna'), m('nollaig', 'mí na nollag', 'nollag'),
    ],
    numeric: 'day-first',
    unsubscribe: ['bain (mé|díom) (den|ón|as an) liosta', 'ná (seol|cuir) (aon )?(r-phost|ríomhphost|ríomhphoist)', 'díliostáil mé', 'scoir de (r-phoist|ríomhphoist) a sheoladh'],
  },
  {
    code: 'mt',
    name: 'Maltese',
    subjects: ['tweġiba awtomatika', 'twegiba awtomatika', 'barra mill-uffiċċju', 'fuq leave', 'il-vaganza'],
    away: ['(jien|ninsab|se nkun) (barra mill-uffiċċju|fuq leave|fil-vaganza|msiefer|imsiefer)', 'aċċess limitat għall-(email|posta)'],
    automatic: ['din hija tweġiba awtomatika', 'dan huwa messaġġ awtomatiku'],
    months: [
      m('jannar'), m('frar'), m('marzu'), m('april'), m('mejju'), m('ġunju', 'gunju'),
      m('lulju'), m('awwissu'), m('settembru'), m('ottubru'), m('novembru'), m('diċembru', 'dicembru'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(neħħini|neħħuni|nehhini|nehhuni)', '(tibagħtulix|tibgħatuli|tibagħtlix) (aktar|iżjed)', 'ma (tibagħtulix|tibagħtux|tikkuntattjawnix) (aktar|iżjed)', 'ma rridx nirċievi (aktar|iżjed)'],
  },
  {
    code: 'ru',
    name: 'Russian',
    subjects: ['автоматический ответ', 'автоответ', 'нет на месте', 'вне офиса', 'отсутствую', 'в отпуске', 'отпуск'],
    away: ['я (сейчас |в настоящее время )?(в отпуске|вне офиса|в командировке|отсутствую|на больничном|не в офисе)', 'ограниченн(ый|ым) доступ(ом)? к (почте|электронной почте)', 'нахожусь (в отпуске|в командировке|вне офиса)'],
    automatic: ['это автоматическ(ий|ое) (ответ|сообщение)', 'данное сообщение (сформировано|отправлено) автоматически'],
    months: [
      m('января', 'январь', 'янв'), m('февраля', 'февраль', 'фев'), m('марта', 'март', 'мар'), m('апреля', 'апрель', 'апр'), m('мая', 'май'), m('июня', 'июнь', 'июн'),
      m('июля', 'июль', 'июл'), m('августа', 'август', 'авг'), m('сентября', 'сентябрь', 'сен', 'сент'), m('октября', 'октябрь', 'окт'), m('ноября', 'ноябрь', 'ноя'), m('декабря', 'декабрь', 'дек'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(отпишите|удалите|исключите|уберите) (меня|мой адрес|мою почту|мой e-?mail) (из|от)',  '(отпишите|удалите|исключите|уберите) меня', 'прошу (отписать|удалить|исключить) меня', '(больше )?не (пишите|присылайте|отправляйте) (мне )?(больше|писем|письма)', 'больше не (пишите|присылайте|отправляйте)', '(хочу|прошу) отписаться', 'не хочу (больше )?получать'],
  },
  {
    code: 'uk',
    name: 'Ukrainian',
    subjects: ['автоматична відповідь', 'автовідповідь', 'поза офісом', 'відсутній', 'відсутня', 'у відпустці', 'відпустка'],
    away: ['я (зараз |наразі )?(у відпустці|поза офісом|у відрядженні|відсутн(ій|я)|на лікарняному)', 'обмежений доступ до (пошти|електронної пошти)', 'перебуваю (у відпустці|у відрядженні)'],
    automatic: ['це автоматична відповідь', 'це автоматичне повідомлення'],
    months: [
      m('січня', 'січень', 'січ'), m('лютого', 'лютий', 'лют'), m('березня', 'березень', 'бер'), m('квітня', 'квітень', 'квіт'), m('травня', 'травень', 'трав'), m('червня', 'червень', 'черв'),
      m('липня', 'липень', 'лип'), m('серпня', 'серпень', 'серп'), m('вересня', 'вересень', 'вер'), m('жовтня', 'жовтень', 'жовт'), m('листопада', 'листопад'), m('грудня', 'грудень', 'груд'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(відпишіть|видаліть|виключіть|приберіть) мене', 'прошу (відписати|видалити|виключити) мене', '(більше )?не (пишіть|надсилайте) (мені )?(більше|листів|листи)', 'більше не (пишіть|надсилайте)', '(хочу|прошу) відписатися', 'не хочу (більше )?отримувати'],
  },
  {
    code: 'tr',
    name: 'Turkish',
    subjects: ['otomatik yanıt', 'otomatik yanit', 'otomatik cevap', 'ofis dışında', 'ofis disinda', 'izindeyim', 'izinde'],
    away: ['(ofis dışındayım|izindeyim|yıllık izindeyim|tatildeyim|seyahatteyim|ofiste değilim)', 'e-?postalarıma (sınırlı|kısıtlı) erişim'],
    automatic: ['bu (bir )?otomatik (yanıt|cevap|mesaj)(tır|dır)?'],
    months: [
      m('ocak'), m('şubat', 'subat'), m('mart'), m('nisan'), m('mayıs', 'mayis'), m('haziran'),
      m('temmuz'), m('ağustos', 'agustos'), m('eylül', 'eylul'), m('ekim'), m('kasım', 'kasim'), m('aralık', 'aralik'),
    ],
    numeric: 'day-first',
    unsubscribe: ['beni (listeden|listenizden|e-?posta listenizden) (çıkarın|çıkartın|silin|çıkarır mısınız)', 'aboneliğimi (iptal edin|sonlandırın)', 'abonelikten çık(mak istiyorum|arın)', '(bana )?(artık|bir daha) (e-?posta|mail|e-?mail) (göndermeyin|atmayın)', 'benimle (artık )?iletişime geçmeyin'],
  },
  {
    code: 'ar',
    name: 'Arabic',
    subjects: ['رد تلقائي', 'الرد التلقائي', 'رد آلي', 'خارج المكتب', 'إجازة', 'اجازة'],
    away: ['(أنا |انا )?(خارج المكتب|في إجازة|في اجازة|في رحلة عمل|غير متواجد|غير موجود)', 'وصول محدود (إلى|الى) (البريد|بريدي)'],
    automatic: ['(هذا|هذه) (رد|رسالة) (تلقائي|تلقائية|آلي|آلية)'],
    months: [
      m('يناير', 'كانون الثاني', 'جانفي'), m('فبراير', 'شباط', 'فيفري'), m('مارس', 'آذار'), m('أبريل', 'ابريل', 'إبريل', 'نيسان', 'أفريل'), m('مايو', 'أيار', 'ماي'), m('يونيو', 'يونيه', 'حزيران', 'جوان'),
      m('يوليو', 'يوليه', 'تموز', 'جويلية'), m('أغسطس', 'اغسطس', 'آب', 'أوت'), m('سبتمبر', 'أيلول'), m('أكتوبر', 'اكتوبر', 'تشرين الأول'), m('نوفمبر', 'تشرين الثاني'), m('ديسمبر', 'كانون الأول'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(إلغاء|الغاء) (الاشتراك|اشتراكي)', '(احذفوني|أزيلوني|ازيلوني|احذفني|أزلني)', '(احذف|أزل|ازل|احذفوا|أزيلوا) (بريدي|عنواني|اسمي)', '(توقفوا|توقف) عن (مراسلتي|إرسال)', '(لا|يرجى عدم) (ترسلوا|ترسل|إرسال|ارسال) (لي )?(أي )?(رسائل|بريد)', 'لا (تراسلني|تراسلوني)'],
  },
  {
    code: 'he',
    name: 'Hebrew',
    subjects: ['תשובה אוטומטית', 'מענה אוטומטי', 'מחוץ למשרד', 'לא במשרד', 'חופשה'],
    away: ['(אני |הנני )?(מחוץ למשרד|בחופשה|לא במשרד|בנסיעת עבודה|בחופשת מחלה)', 'גישה מוגבלת (לדואר|למייל|לדוא"ל)'],
    automatic: ['(זוהי|זו|זאת) (תשובה|הודעה) אוטומטית'],
    months: [
      m('ינואר', 'בינואר', 'לינואר'), m('פברואר', 'בפברואר', 'לפברואר'), m('מרץ', 'מרס', 'במרץ', 'במרס', 'למרץ'), m('אפריל', 'באפריל', 'לאפריל'), m('מאי', 'במאי', 'למאי'), m('יוני', 'ביוני', 'ליוני'),
      m('יולי', 'ביולי', 'ליולי'), m('אוגוסט', 'באוגוסט', 'לאוגוסט'), m('ספטמבר', 'בספטמבר', 'לספטמבר'), m('אוקטובר', 'באוקטובר', 'לאוקטובר'), m('נובמבר', 'בנובמבר', 'לנובמבר'), m('דצמבר', 'בדצמבר', 'לדצמבר'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(הסירו|הסר|תסירו|תסיר|מחקו|תמחקו|להסיר|למחוק) אותי', 'אל (תשלחו|תשלח) לי', '(תפסיקו|תפסיק|נא להפסיק) (לשלוח|לפנות)', '(ביטול|בטלו|לבטל) (את )?(המנוי|ההרשמה)', 'אני (רוצה|מבקש|מבקשת) להסיר'],
  },
  {
    code: 'hi',
    name: 'Hindi',
    subjects: ['स्वचालित उत्तर', 'स्वचालित जवाब', 'ऑटो रिप्लाई', 'कार्यालय से बाहर', 'छुट्टी पर'],
    away: ['(मैं )?(कार्यालय से बाहर|छुट्टी पर|अवकाश पर|यात्रा पर) (हूँ|हूं|रहूँगा|रहूंगा|रहूँगी|रहूंगी)', 'ईमेल तक सीमित पहुँच'],
    automatic: ['यह (एक )?स्वचालित (उत्तर|संदेश|जवाब) है'],
    months: [
      m('जनवरी'), m('फ़रवरी', 'फरवरी'), m('मार्च'), m('अप्रैल', 'अप्रेल'), m('मई'), m('जून'),
      m('जुलाई'), m('अगस्त'), m('सितंबर', 'सितम्बर'), m('अक्टूबर', 'अक्तूबर'), m('नवंबर', 'नवम्बर'), m('दिसंबर', 'दिसम्बर'),
    ],
    numeric: 'day-first',
    unsubscribe: ['(मुझे|मेरा (ईमेल|नाम)) (अपनी |आपकी )?(मेलिंग )?(सूची से |लिस्ट से )?(हटा दें|हटाएं|हटाइए|हटाएँ|निकाल दें)', '(मुझे )?(और )?(ईमेल|मेल) (न|मत) (भेजें|भेजिए|भेजो)', '(ईमेल|मेल) भेजना बंद (करें|कीजिए|करो)', 'सदस्यता (रद्द|समाप्त) (करें|कीजिए|कर दें)', 'अनसब्सक्राइब'],
  },
  {
    code: 'zh',
    name: 'Chinese',
    subjects: ['自动回复', '自動回覆', '自動回復', '自动答复', '自動答覆', '外出', '不在办公室', '不在辦公室', '休假'],
    away: ['(我)?(目前|现在|現在)?(正在)?(休假|出差|不在办公室|不在辦公室|外出)(中)?', '(查看|查收)邮件(的时间)?有限'],
    automatic: ['(这|此|這)(是)?(一封)?(自动|自動)(回复|回覆|答复|答覆)(邮件|郵件)?'],
    months: [[], [], [], [], [], [], [], [], [], [], [], []],
    numeric: 'month-first',
    unsubscribe: ['退订', '退訂', '取消订阅', '取消訂閱', '(请|請)(不要|勿)再(给我|給我|向我)?(发|發|寄)', '不要再(给我|給我)?(发|發|寄)(邮件|郵件)', '(从|從)(名单|名單|列表|邮件列表)中?(删除|刪除|移除)(我)?', '停止(给我|給我)?(发送|發送)', '不(想|希望)(再)?(收到|接收)'],
  },
  {
    code: 'ja',
    name: 'Japanese',
    subjects: ['自動応答', '自動返信', '不在', '休暇'],
    away: ['(不在|休暇|出張)(にしております|しております|のため|中)', 'メールの確認が(できません|出来ません|遅れます)'],
    automatic: ['(このメールは|本メールは)?自動(返信|応答)(メール)?(です|でございます|にて)'],
    months: [[], [], [], [], [], [], [], [], [], [], [], []],
    numeric: 'month-first',
    unsubscribe: ['配信(を)?停止', '配信(の)?解除', '(送信|配信|送付|メール)(を)?(停止|中止)して(ください|下さい)', '(メール|ご連絡)(は|を)?(もう|今後)?(不要|結構)です', '(送らないで|送信しないで|ご連絡いただかないで)(ください|下さい)', '(リスト|名簿|配信先)から(削除|外して)', '(今後|以降)(の)?(ご連絡|メール)は(不要|ご遠慮)'],
  },
  {
    code: 'ko',
    name: 'Korean',
    subjects: ['자동 회신', '자동회신', '자동 응답', '자동응답', '부재중', '부재 중', '휴가'],
    away: ['(부재 중|부재중|휴가 중|휴가중|출장 중|출장중)(입니다|이며|이오니|으로)', '메일 확인이 (어렵|늦)'],
    automatic: ['(이 메일은|본 메일은)?\\s?자동(으로)? (회신|응답|발송)(된|되는)? (메일|메시지)입니다'],
    months: [[], [], [], [], [], [], [], [], [], [], [], []],
    numeric: 'month-first',
    unsubscribe: ['수신(을)? ?거부', '구독 ?(취소|해지)', '(메일|이메일)(을|를)? (그만|더 이상) 보내지', '더 이상 (메일|이메일|연락)(을|를)? (보내지|하지)', '(명단|목록|리스트)에서 (삭제|빼)', '연락하지 (마세요|말아 주세요|마십시오)', '(수신|메일|이메일)(을|를)? (원하지 않|받고 싶지 않)'],
  },
];

/**
 * Weekday names per language, Monday first, in the forms a date takes ("lunes 14", "am Montag, den 14.",
 * "hétfőn 14-én"…): with a day of the month and no month, the weekday picks the month.
 */
export const WEEKDAYS: Record<string, string[][]> = {
  en: [['monday', 'mon'], ['tuesday', 'tues', 'tue'], ['wednesday', 'wed'], ['thursday', 'thurs', 'thu'], ['friday', 'fri'], ['saturday'], ['sunday']],
  de: [['montag'], ['dienstag'], ['mittwoch'], ['donnerstag'], ['freitag'], ['samstag', 'sonnabend'], ['sonntag']],
  fr: [['lundi'], ['mardi'], ['mercredi'], ['jeudi'], ['vendredi'], ['samedi'], ['dimanche']],
  es: [['lunes'], ['martes'], ['miércoles', 'miercoles'], ['jueves'], ['viernes'], ['sábado', 'sabado'], ['domingo']],
  it: [['lunedì', 'lunedi'], ['martedì', 'martedi'], ['mercoledì', 'mercoledi'], ['giovedì', 'giovedi'], ['venerdì', 'venerdi'], ['sabato'], ['domenica']],
  nl: [['maandag'], ['dinsdag'], ['woensdag'], ['donderdag'], ['vrijdag'], ['zaterdag'], ['zondag']],
  pt: [['segunda-feira', 'segunda'], ['terça-feira', 'terça', 'terca'], ['quarta-feira', 'quarta'], ['quinta-feira', 'quinta'], ['sexta-feira', 'sexta'], ['sábado', 'sabado'], ['domingo']],
  sv: [['måndag', 'måndagen'], ['tisdag', 'tisdagen'], ['onsdag', 'onsdagen'], ['torsdag', 'torsdagen'], ['fredag', 'fredagen'], ['lördag', 'lördagen'], ['söndag', 'söndagen']],
  da: [['mandag'], ['tirsdag'], ['onsdag'], ['torsdag'], ['fredag'], ['lørdag'], ['søndag']],
  no: [['mandag'], ['tirsdag'], ['onsdag'], ['torsdag'], ['fredag'], ['lørdag'], ['søndag']],
  fi: [['maanantai', 'maanantaina'], ['tiistai', 'tiistaina'], ['keskiviikko', 'keskiviikkona'], ['torstai', 'torstaina'], ['perjantai', 'perjantaina'], ['lauantai', 'lauantaina'], ['sunnuntai', 'sunnuntaina']],
  pl: [['poniedziałek', 'poniedziałku'], ['wtorek', 'wtorku'], ['środa', 'środę', 'środy'], ['czwartek', 'czwartku'], ['piątek', 'piątku'], ['sobota', 'sobotę', 'soboty'], ['niedziela', 'niedzielę', 'niedzieli']],
  cs: [['pondělí'], ['úterý'], ['středa', 'středu'], ['čtvrtek'], ['pátek'], ['sobota', 'sobotu'], ['neděle', 'neděli']],
  sk: [['pondelok'], ['utorok'], ['streda', 'stredu'], ['štvrtok'], ['piatok'], ['sobota', 'sobotu'], ['nedeľa', 'nedeľu']],
  sl: [['ponedeljek'], ['torek'], ['sreda', 'sredo'], ['četrtek'], ['petek'], ['sobota', 'soboto'], ['nedelja', 'nedeljo']],
  hr: [['ponedjeljak', 'ponedjeljka'], ['utorak', 'utorka'], ['srijeda', 'srijedu'], ['četvrtak', 'četvrtka'], ['petak', 'petka'], ['subota', 'subotu'], ['nedjelja', 'nedjelju']],
  hu: [['hétfő', 'hétfőn'], ['kedd', 'kedden'], ['szerda', 'szerdán'], ['csütörtök', 'csütörtökön'], ['péntek', 'pénteken'], ['szombat', 'szombaton'], ['vasárnap']],
  ro: [['luni'], ['marți', 'marti'], ['miercuri'], ['joi'], ['vineri'], ['sâmbătă', 'sambata'], ['duminică', 'duminica']],
  bg: [['понеделник'], ['вторник'], ['сряда'], ['четвъртък'], ['петък'], ['събота'], ['неделя']],
  el: [['δευτέρα'], ['τρίτη'], ['τετάρτη'], ['πέμπτη'], ['παρασκευή'], ['σάββατο'], ['κυριακή']],
  et: [['esmaspäev', 'esmaspäeval'], ['teisipäev', 'teisipäeval'], ['kolmapäev', 'kolmapäeval'], ['neljapäev', 'neljapäeval'], ['reede', 'reedel'], ['laupäev', 'laupäeval'], ['pühapäev', 'pühapäeval']],
  lv: [['pirmdiena', 'pirmdien'], ['otrdiena', 'otrdien'], ['trešdiena', 'trešdien'], ['ceturtdiena', 'ceturtdien'], ['piektdiena', 'piektdien'], ['sestdiena', 'sestdien'], ['svētdiena', 'svētdien']],
  lt: [['pirmadienis', 'pirmadienį'], ['antradienis', 'antradienį'], ['trečiadienis', 'trečiadienį'], ['ketvirtadienis', 'ketvirtadienį'], ['penktadienis', 'penktadienį'], ['šeštadienis', 'šeštadienį'], ['sekmadienis', 'sekmadienį']],
  ga: [['luan'], ['máirt'], ['céadaoin'], ['déardaoin'], ['aoine'], ['satharn'], ['domhnach']],
  mt: [['it-tnejn', 'tnejn'], ['it-tlieta', 'tlieta'], ['l-erbgħa', 'erbgħa'], ['il-ħamis', 'ħamis'], ['il-ġimgħa', 'ġimgħa'], ['is-sibt', 'sibt'], ['il-ħadd', 'ħadd']],
  ru: [['понедельник'], ['вторник'], ['среда', 'среду'], ['четверг'], ['пятница', 'пятницу'], ['суббота', 'субботу'], ['воскресенье']],
  uk: [['понеділок'], ['вівторок'], ['середа', 'середу'], ['четвер'], ["п'ятниця", "п'ятницю", 'п’ятниця', 'п’ятницю', 'пʼятниця', 'пʼятницю'], ['субота', 'суботу'], ['неділя', 'неділю']],
  tr: [['pazartesi'], ['salı', 'sali'], ['çarşamba', 'carsamba'], ['perşembe', 'persembe'], ['cuma'], ['cumartesi'], ['pazar']],
  ar: [['الاثنين', 'الإثنين'], ['الثلاثاء'], ['الأربعاء', 'الاربعاء'], ['الخميس'], ['الجمعة'], ['السبت'], ['الأحد', 'الاحد']],
  he: [['יום שני'], ['יום שלישי'], ['יום רביעי'], ['יום חמישי'], ['יום שישי'], ['שבת'], ['יום ראשון']],
  hi: [['सोमवार'], ['मंगलवार'], ['बुधवार'], ['गुरुवार', 'बृहस्पतिवार'], ['शुक्रवार'], ['शनिवार'], ['रविवार']],
};

/** Languages by code. */
export const REPLY_LANGUAGE_BY_CODE: ReadonlyMap<string, ReplyLanguage> = new Map(REPLY_LANGUAGES.map((l) => [l.code, l]));

/** Phrase source → regular-expression source: spaces become `\s+`. */
export function phraseSource(phrase: string): string {
  return phrase.replace(/ /g, '\\s+');
}

/** Text as the patterns read it, index for index: other digit systems as ASCII digits, Turkish İ as I. */
export function normaliseForMatching(text: string): string {
  return text.replace(/[\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\uff10-\uff19\u0130]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x0130) return 'I';
    const zero = code >= 0xff10 ? 0xff10 : code >= 0x0966 ? 0x0966 : code >= 0x06f0 ? 0x06f0 : 0x0660;
    return String(code - zero);
  });
}
