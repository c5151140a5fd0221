"""Common Chinese characters, used to tell a right decoding from mojibake.

``COMMON_SIMPLIFIED`` is the 500 most frequent characters of jieba's dictionary (weighted by word
frequency), plus characters of financial-regulation vocabulary. ``COMMON_TRADITIONAL`` holds the
traditional forms of those that differ, so Big5 text scores as well as GB text.
"""
from __future__ import annotations

__all__ = ["COMMON_SIMPLIFIED", "COMMON_TRADITIONAL", "COMMON_CHARS"]

COMMON_SIMPLIFIED = (
    "一是人了不在有大中国和为这上他个地年来我会以到时要出的生学说道民家子也成行下们于后就发自之对得主长可过天"
    "作分方用多你着部能市等业全里工公经本都而高政法面门动日进区事代那去心小同北定开产前其军还然起种所如现理机"
    "体表力好外与文当两实重新三么只山水关明从化平建又制南内西没此将员名手最东头者月间无安看见各城十相但已些正"
    "口通想度加第她合院物性战由位常点海意场武使次二向治因立数样身情入原问把路被并利石老教万知级量任江及应省资"
    "委务元美特期世湖回系比气汉总展电科金先声提品设或义王社很统处四首共马形己儿司太目基领队直计别女权话少流命"
    "至报米给打变果书清活几州华解议更称程今决张导术府才保交放管结师便走达族反再题色五京河接条规式县白它改风光"
    "运信受什组听布百济党指论强做取技黄神选记斯真却职号界件花类何眼兵传带空干农边据集联古广完质阳难增历史专官"
    "每住商即步认车台林必死游举线言皇土团收考求德叫近备研争非具李众连调感转笑革该持始英克士尔让拉思根格造较际"
    "亲单朝红型价校约器字段周亚深候则功属积快图火千准究往极育装许参半令吃观鱼精办像帝八复影告远群包整构料随划"
    "算象容示投势热值夫网望源息语股铁断派速怎需片爱律纪支早况病境证编"
    "银贷款融险监营财税费购储债券票率账户存汇币押担抵托租赁普惠绿碳乡村扶贫助微户征诉罚施"
)
COMMON_TRADITIONAL = (
    "國為這個來會時學說們發對長過著業經門動進區開產軍還現當兩實關從內沒將員東頭間無見戰點場數樣問級應資務漢總"
    "電聲設義統處馬領隊計別權話報給變書華議稱決張導術結師達題條規縣風運組濟論強黃選記卻職號類傳帶農邊聯廣質陽"
    "難歷專認車舉線團備爭眾連調轉該爾讓較際親單紅約亞則屬積圖裝許參觀魚辦遠隨勢熱語鐵斷愛紀況證編後於與裡麼幾"
    "臺製銀貸險機構營監財稅價費購儲債賬戶匯幣擔託賃綠鄉貧徵訴罰"
)
COMMON_CHARS: frozenset[str] = frozenset(COMMON_SIMPLIFIED) | frozenset(COMMON_TRADITIONAL)
