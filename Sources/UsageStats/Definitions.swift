/// The published definitions, versioned. Changing any rule here means a new
/// `version`; figures already in the log keep the version they name.
public enum Definitions {
    public static let version = "aqyl-usage/1"
    /// Cells about fewer users than this are published as "<5".
    public static let suppressionThreshold = 5
    /// Requests per minute from one identity above which the rest of that minute is excluded.
    public static let humanRequestsPerMinute = 20

    /// The definitions in Kazakh, Russian and English, as served at `/stats/definitions`.
    public static let texts: [String: [String: String]] = [
        "en": [
            "user": "A user is a pseudonymous identity — a browser identity issued and signed by this server, or an API key — that sent at least one message that received a model response. A cookie the server did not issue is no identity (such requests are anonymous and excluded), and one client network (IPv4 /24, IPv6 /64) gets a limited number of new browser identities per hour, so made-up or freshly minted cookies cannot raise the user figures. Pseudonyms are HMAC-SHA-256 of the identity under a secret key kept by the server; one key per deployment, so a person keeps one pseudonym and 28-day counts count people.",
            "dau": "DAU: distinct users with a counted event on the UTC day. WAU: on that day and the 6 before. MAU: on that day and the 27 before.",
            "new_returning": "New users: users whose first counted event is on the day. Returning users: the day's other users.",
            "conversations": "Conversations: distinct web-chat conversations with a counted event that day, plus one per counted API request (the API has no conversation id).",
            "messages": "User messages: counted events (each is one request answered by the model). Tokens: prompt and generated tokens of counted events, by the model's tokenizer.",
            "channels": "Web vs API: web is the chat page (cookie identity), API is requests with an API key. By model: the model that answered.",
            "retention": "Weekly retention: users grouped by the ISO week (Monday, UTC) of their first counted event; each cell is how many of them had a counted event k weeks later.",
            "excluded": "Not counted, and published by reason next to the headline numbers: synthetic API keys (load tests, monitoring), requests with no model response, web-chat requests without the page's script, identities sending more than 20 requests a minute (the rest of that minute), and anonymous requests (no key, no browser identity). Health checks and page loads are never events.",
            "suppression": "Any cell about fewer than 5 users is shown as \"<5\", including message and token counts of such a group.",
        ],
        "ru": [
            "user": "Пользователь — псевдонимная личность (выданная и подписанная этим сервером личность браузера или API-ключ), отправившая хотя бы одно сообщение, на которое модель ответила. Cookie, не выданный сервером, личностью не является (такие запросы анонимны и исключаются), а одна клиентская сеть (IPv4 /24, IPv6 /64) получает ограниченное число новых личностей в час, поэтому придуманные или массово полученные cookie не увеличивают число пользователей. Псевдоним — HMAC-SHA-256 от личности на секретном ключе сервера; ключ один на развёртывание, поэтому у человека один псевдоним и 28-дневные счёты считают людей.",
            "dau": "DAU: различные пользователи с учтённым событием за сутки UTC. WAU: за этот день и 6 предыдущих. MAU: за этот день и 27 предыдущих.",
            "new_returning": "Новые: первый учтённый визит в этот день. Вернувшиеся: остальные пользователи дня.",
            "conversations": "Диалоги: различные диалоги веб-чата с учтённым событием за день плюс по одному на каждый учтённый API-запрос.",
            "messages": "Сообщения: учтённые события (каждое — запрос, на который ответила модель). Токены: токены запроса и ответа учтённых событий.",
            "channels": "Веб и API: веб — страница чата (cookie), API — запросы с ключом. По моделям: какая модель ответила.",
            "retention": "Недельное удержание: пользователи по ISO-неделе (понедельник, UTC) первого учтённого события; в ячейке — сколько из них были активны через k недель.",
            "excluded": "Не учитываются и публикуются по причинам рядом с основными числами: синтетические API-ключи, запросы без ответа модели, запросы к веб-чату без скрипта страницы, более 20 запросов в минуту от одной личности, анонимные запросы. Проверки здоровья и загрузки страниц событиями не являются.",
            "suppression": "Любая ячейка о менее чем 5 пользователях показывается как \"<5\", включая сообщения и токены такой группы.",
        ],
        "kk": [
            "user": "Пайдаланушы — модель жауап берген кемінде бір хабарлама жіберген бүркеншік тұлға (осы сервер берген және қол қойған браузер тұлғасы немесе API кілті). Сервер бермеген cookie тұлға болып саналмайды (мұндай сұраулар анонимді және есептен шығарылады), ал бір клиенттік желі (IPv4 /24, IPv6 /64) сағатына шектеулі сандағы жаңа браузер тұлғасын алады, сондықтан ойдан шығарылған немесе жаппай алынған cookie пайдаланушылар санын арттырмайды. Бүркеншік атау — сервердің құпия кілтімен есептелген HMAC-SHA-256; кілт бір орналастыруға біреу, сондықтан адамның бір бүркеншік атауы болады және 28 күндік сандар адамдарды санайды.",
            "dau": "DAU: UTC тәулігінде есептелген оқиғасы бар әртүрлі пайдаланушылар. WAU: сол күн және алдыңғы 6 күн. MAU: сол күн және алдыңғы 27 күн.",
            "new_returning": "Жаңа пайдаланушылар: алғашқы есептелген оқиғасы сол күні болғандар. Қайтып келгендер: күннің қалған пайдаланушылары.",
            "conversations": "Сұхбаттар: күн ішінде есептелген оқиғасы бар әртүрлі веб-чат сұхбаттары, әр есептелген API сұрауы үшін бір сұхбат қосылады.",
            "messages": "Хабарламалар: есептелген оқиғалар (әрқайсысы — модель жауап берген бір сұрау). Токендер: есептелген оқиғалардың сұрау және жауап токендері.",
            "channels": "Веб және API: веб — чат беті (cookie), API — кілтпен жіберілген сұраулар. Модельдер бойынша: жауап берген модель.",
            "retention": "Апталық қайта оралу: пайдаланушылар алғашқы есептелген оқиғасының ISO аптасы (дүйсенбі, UTC) бойынша топталады; ұяшықта — олардың k аптадан кейін белсенді болғандарының саны.",
            "excluded": "Есептелмейді және себебі бойынша негізгі сандардың қасында жарияланады: синтетикалық API кілттері, модель жауап бермеген сұраулар, беттің скриптісіз веб-чат сұраулары, бір тұлғадан минутына 20-дан көп сұрау, анонимді сұраулар. Денсаулық тексерулері мен бет жүктеулері оқиға емес.",
            "suppression": "5-тен аз пайдаланушы туралы кез келген ұяшық \"<5\" болып көрсетіледі, мұндай топтың хабарлама және токен сандары да.",
        ],
    ]
}
